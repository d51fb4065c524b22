package io.uowservice.events;

import io.uowservice.bus.Addresses;
import io.uowservice.config.AppConfig;
import io.uowservice.repository.Database;
import io.uowservice.repository.Purges;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox to Kafka: claim a batch, send it (key = entity id, so one entity's events
 * stay in one partition, in order), mark it sent; repeat until the outbox is drained. Woken by
 * every event a commit publishes on {@link Addresses#EVENTS} and by a periodic poll (which also
 * picks up what an earlier run or another node left behind). While Kafka fails it backs off
 * exponentially; rows stay unsent and are retried, so committed ⇒ published at least once.
 *
 * <p>Claiming: a short READ COMMITTED transaction selects pending rows {@code FOR UPDATE SKIP
 * LOCKED} and stamps them with this relay's id and a lease ({@code claimed_until}), then commits.
 * The Kafka round trip happens outside any transaction, so a slow or absent broker never holds
 * row locks or pool connections (holding the transaction open across the acks would block every
 * other relay's claim and pin a connection for up to the delivery timeout). A relay that dies
 * mid-batch leaves its lease to expire; the next claim (here or on another node) takes the rows
 * again. Leases use the database clock, the one clock all nodes share.
 *
 * <p>Order per entity: a batch takes an entity's pending events only from its first unsent one
 * on, and sends them one after the other, so an entity's events reach Kafka in seq order whichever
 * relay holds them; a hot entity drains at Kafka's acknowledgement rate, a whole run per batch.
 * An event Kafka refuses for good is dead-lettered and holds back only its own entity's later
 * events until an admin retries it. Different entities never wait for each other.
 */
public final class OutboxRelayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final int PURGE_CHUNK = 1000;

  /**
   * Pending rows in seq order, several of one entity at once, but none behind an earlier unsent row
   * of its entity that another relay holds or that is dead-lettered (those hold their entity back).
   */
  private static final String CLAIM = "SELECT o.seq, o.event_key, o.payload FROM outbox o "
      + "WHERE o.sent_at IS NULL AND o.dead_lettered_at IS NULL "
      + "AND (o.claimed_until IS NULL OR o.claimed_until < UTC_TIMESTAMP(6)) "
      + "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.event_key = o.event_key AND p.sent_at IS NULL "
      + "AND p.seq < o.seq AND (p.dead_lettered_at IS NOT NULL OR p.claimed_until >= UTC_TIMESTAMP(6))) "
      + "ORDER BY o.seq LIMIT ? FOR UPDATE SKIP LOCKED";

  private record Pending(long seq, String key, String payload) {
  }

  /** Kafka took part of a batch: no reason to back off (see wake). */
  private static final class PartialFailure extends RuntimeException {
    final int failed;

    PartialFailure(int failed, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.failed = failed;
    }
  }

  private AppConfig.MessageQueue settings;
  private Pool pool;
  private KafkaProducer<String, String> producer;
  private MessageConsumer<Object> nudges;
  private final String relayId = "relay-" + UUID.randomUUID();

  private boolean stopped;
  private boolean draining;
  private boolean wakeAgain;
  private boolean backingOff;
  private int failures;
  private long pollTimer = -1;
  private long purgeTimer = -1;

  @Override
  public Future<?> start() {
    AppConfig config = AppConfig.from(config());
    settings = config.messageQueue();
    pool = Database.pool(vertx, config.mysql());
    producer = KafkaProducer.create(vertx, producerConfig(settings, relayId));
    // each send's own future carries its failure (handled in publish); this only keeps them out of the context log
    producer.exceptionHandler(err -> LOG.debug("outbox relay {} producer: {}", relayId, err.toString()));
    // local: every node's relay is woken by its own node's commits; the poll covers the rest
    nudges = vertx.eventBus().localConsumer(Addresses.EVENTS, message -> wake());
    pollTimer = vertx.setPeriodic(settings.relayPollInterval().toMillis(), id -> wake());
    long purgeEvery = Math.max(1000, Math.min(settings.outboxRetention().toMillis() / 10, 60_000));
    purgeTimer = vertx.setPeriodic(purgeEvery, id -> purge());
    LOG.info("outbox relay {} publishing to topic {} at {}", relayId, settings.topic(), settings.bootstrapServers());
    return nudges.completion().onSuccess(v -> wake());
  }

  /**
   * Stops like a crash, on purpose: the batch in flight is neither awaited (the broker may be
   * down) nor marked; its rows stay claimed until the lease ends and are then published again by
   * whichever relay claims them. One recovery path for undeploys, shutdowns and real crashes, and
   * every stop exercises it. Costs at most one batch of duplicates, which consumers drop by event_id.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(purgeTimer);
    return nudges.unregister().eventually(() -> producer.close(0));
  }

  /** The producer settings: acks from all in-sync replicas and idempotence (no duplicates from client retries). */
  static Map<String, String> producerConfig(AppConfig.MessageQueue mq, String clientId) {
    // a send must give up well before the lease ends, or another relay could take the rows while
    // this one still publishes them; Kafka needs delivery >= linger + request timeout
    long delivery = Math.max(1000, mq.relayLease().toMillis() * 2 / 3);
    long request = Math.min(5000, delivery / 2);
    Map<String, String> c = new HashMap<>();
    c.put("bootstrap.servers", mq.bootstrapServers());
    c.put("client.id", "uow-outbox-" + clientId);
    c.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    c.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    c.put("acks", "all");
    c.put("enable.idempotence", "true");
    // idempotence keeps per-partition order with up to 5 requests in flight
    c.put("max.in.flight.requests.per.connection", "5");
    c.put("linger.ms", "5");
    c.put("delivery.timeout.ms", String.valueOf(delivery));
    c.put("request.timeout.ms", String.valueOf(request));
    // metadata waits happen on a worker thread, but bound them so a dead broker fails fast into backoff
    c.put("max.block.ms", String.valueOf(request));
    c.put("reconnect.backoff.max.ms", "2000");
    // an event is as large as its entity (HTTP bodies up to 4 MiB) or its commit's entity list; the
    // topic's max.message.bytes must allow as much, or such a row is retried (with backoff) until it does
    c.put("max.request.size", String.valueOf(16 * 1024 * 1024));
    return c;
  }

  // ---- the drain loop (all on this verticle's event loop) ----------------------------------------

  private void wake() {
    if (stopped || backingOff) {
      return;
    }
    if (draining) {
      wakeAgain = true; // events arrived while a batch was in flight: look again right after it
      return;
    }
    draining = true;
    wakeAgain = false;
    claim()
        .compose(batch -> batch.isEmpty() || stopped ? Future.succeededFuture(0) : publish(batch).map(batch.size()))
        .onComplete(ar -> {
          draining = false;
          if (stopped) {
            return;
          }
          if (ar.failed()) {
            if (ar.cause() instanceof PartialFailure partial) {
              // some rows went out, so Kafka is up: retry the others at once, as part of the next claim
              LOG.warn("outbox relay {}: {} of a batch failed, retried with the next one: {}", relayId,
                  partial.failed, partial.getCause().toString());
              vertx.runOnContext(v -> wake());
            } else {
              backOff(ar.cause());
            }
            return;
          }
          if (failures > 0) {
            LOG.info("outbox relay {} publishes again after {} failed attempt(s)", relayId, failures);
            failures = 0;
          }
          if (ar.result() == settings.relayBatchSize() || wakeAgain) {
            vertx.runOnContext(v -> wake()); // more may be waiting: keep draining
          }
        });
  }

  private void backOff(Throwable cause) {
    failures++;
    long max = settings.relayMaxBackoff().toMillis();
    long base = MIN_BACKOFF.toMillis() << Math.min(failures - 1, 20);
    long delay = Math.min(max, base);
    delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1); // jitter: nodes don't retry in step
    if (failures == 1 || failures % 10 == 0) {
      LOG.warn("outbox relay {}: publishing failed ({} attempt(s)), retrying in {} ms: {}", relayId, failures, delay,
          cause.toString());
    }
    backingOff = true;
    vertx.setTimer(delay, id -> {
      backingOff = false;
      wake();
    });
  }

  /** Claims up to relay_batch_size pending rows for this relay, in seq order. */
  private Future<List<Pending>> claim() {
    long leaseMicros = settings.relayLease().toNanos() / 1000;
    return pool.withConnection(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").execute()
        // READ COMMITTED: no gap locks, so commits inserting new outbox rows never wait on a claim
        .compose(v -> conn.begin())
        .compose(tx -> selectAndStamp(conn, leaseMicros)
            .compose(rows -> tx.commit().map(rows))
            .recover(err -> tx.rollback().transform(x -> Future.<List<Pending>>failedFuture(err)))));
  }

  private Future<List<Pending>> selectAndStamp(SqlConnection conn, long leaseMicros) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(settings.relayBatchSize())).compose(rows -> {
      List<Pending> candidates = new ArrayList<>(rows.size());
      for (Row row : rows) {
        candidates.add(new Pending(row.getLong(0), row.getString(1), row.getString(2)));
      }
      return candidates.isEmpty() ? Future.succeededFuture(candidates) : inOrder(conn, candidates);
    }).compose(batch -> {
      if (batch.isEmpty()) {
        return Future.succeededFuture(batch);
      }
      Tuple params = Tuple.of(relayId, leaseMicros);
      String sql = "UPDATE outbox SET claimed_by = ?, claimed_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND), "
          + "attempts = attempts + 1 WHERE seq IN (" + placeholders(batch.size(), params, batch) + ")";
      return conn.preparedQuery(sql).execute(params).map(batch);
    });
  }

  /**
   * Keeps of the candidates, per entity, only the run that starts at the entity's first unsent row:
   * a row skipped because a concurrent claim holds it (SKIP LOCKED) must not be overtaken by its
   * successors.
   */
  private static Future<List<Pending>> inOrder(SqlConnection conn, List<Pending> candidates) {
    Map<String, List<Long>> byKey = new java.util.LinkedHashMap<>();
    long last = 0;
    for (Pending p : candidates) {
      byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.seq());
      last = Math.max(last, p.seq());
    }
    Tuple params = Tuple.tuple();
    StringBuilder in = new StringBuilder();
    for (String key : byKey.keySet()) {
      in.append(in.length() == 0 ? "?" : ", ?");
      params.addString(key);
    }
    params.addLong(last);
    return conn.preparedQuery("SELECT event_key, seq FROM outbox WHERE sent_at IS NULL AND event_key IN (" + in
            + ") AND seq <= ? ORDER BY seq").execute(params)
        .map(rows -> {
          Map<String, List<Long>> pending = new HashMap<>();
          rows.forEach(row -> pending.computeIfAbsent(row.getString(0), k -> new ArrayList<>()).add(row.getLong(1)));
          java.util.Set<Long> keep = new java.util.HashSet<>();
          byKey.forEach((key, seqs) -> {
            List<Long> all = pending.getOrDefault(key, List.of());
            for (int i = 0; i < seqs.size() && i < all.size() && seqs.get(i).equals(all.get(i)); i++) {
              keep.add(seqs.get(i));
            }
          });
          return candidates.stream().filter(p -> keep.contains(p.seq())).toList();
        });
  }

  /**
   * Sends the batch: each entity's events one after the other, in seq order (the next only once the
   * previous is acknowledged, so a refusal never lets a later event overtake it), different
   * entities at once. Marks what Kafka acknowledged as sent; an event Kafka refuses for good (too
   * large, invalid) is dead-lettered and holds back its entity's later events; the rest is released
   * for the next attempt.
   */
  private Future<Void> publish(List<Pending> batch) {
    Map<String, List<Pending>> byKey = new java.util.LinkedHashMap<>();
    batch.forEach(p -> byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p));
    List<Pending> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Pending> unsent = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Pending> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<Long, String> reasons = new java.util.concurrent.ConcurrentHashMap<>();
    Throwable[] firstFailure = {null};
    List<Future<Void>> keys = new ArrayList<>(byKey.size());
    for (List<Pending> events : byKey.values()) {
      keys.add(sendInOrder(events, 0, sent, unsent, refused, reasons, firstFailure));
    }
    return Future.join(keys).transform(all -> {
      Throwable failure = firstFailure[0] == null || sent.isEmpty() && refused.isEmpty() ? firstFailure[0]
          : new PartialFailure(unsent.size(), firstFailure[0]);
      if (stopped) {
        return Future.<Void>succeededFuture(); // leave the rows to their lease (see stop)
      }
      return markSent(sent).compose(v -> deadLetter(refused, reasons)).compose(v -> release(unsent))
          .compose(v -> failure == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failure));
    });
  }

  private Future<Void> sendInOrder(List<Pending> events, int from, List<Pending> sent, List<Pending> unsent,
      List<Pending> refused, Map<Long, String> reasons, Throwable[] firstFailure) {
    if (from == events.size()) {
      return Future.succeededFuture();
    }
    Pending p = events.get(from);
    return producer.send(KafkaProducerRecord.create(settings.topic(), p.key(), p.payload())).transform(ar -> {
      if (ar.succeeded()) {
        sent.add(p);
        return sendInOrder(events, from + 1, sent, unsent, refused, reasons, firstFailure);
      }
      if (refusedForGood(ar.cause())) {
        refused.add(p);
        reasons.put(p.seq(), ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage());
      } else {
        unsent.add(p);
        synchronized (firstFailure) {
          firstFailure[0] = firstFailure[0] == null ? ar.cause() : firstFailure[0];
        }
      }
      unsent.addAll(events.subList(from + 1, events.size()));
      return Future.succeededFuture();
    });
  }

  static boolean refusedForGood(Throwable err) {
    return err instanceof org.apache.kafka.common.errors.RecordTooLargeException
        || err instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
        || err instanceof org.apache.kafka.common.InvalidRecordException;
  }

  /** Sets aside events Kafka refuses for good: counted, logged, listable and retryable by an admin. */
  private Future<Void> deadLetter(List<Pending> rows, Map<Long, String> reasons) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending p : rows) {
      String reason = reasons.getOrDefault(p.seq(), "refused");
      LOG.warn("outbox relay {}: event {} of entity {} refused by Kafka for good ({}); dead-lettered, its entity's "
          + "later events wait for an admin (POST /api/v1/outbox/dead-letters/{}/retry)", relayId, p.seq(), p.key(),
          reason, p.seq());
      chain = chain.compose(v -> pool.preparedQuery("UPDATE outbox SET dead_lettered_at = UTC_TIMESTAMP(6), "
              + "dead_letter_reason = ?, claimed_by = NULL, claimed_until = NULL WHERE seq = ? AND sent_at IS NULL")
          .execute(Tuple.of(reason.length() > 1000 ? reason.substring(0, 1000) : reason, p.seq())).mapEmpty());
    }
    return chain;
  }

  private Future<Void> markSent(List<Pending> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    // no claimed_by condition: Kafka has the record, whoever holds the lease now
    Tuple params = Tuple.tuple();
    String sql = "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), claimed_by = NULL, claimed_until = NULL WHERE seq IN ("
        + placeholders(rows.size(), params, rows) + ")";
    return pool.preparedQuery(sql).execute(params).mapEmpty();
  }

  /** Failed rows become claimable at once (after the backoff) instead of at the end of the lease. */
  private Future<Void> release(List<Pending> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple params = Tuple.tuple();
    String in = placeholders(rows.size(), params, rows);
    params.addString(relayId);
    return pool.preparedQuery("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq IN (" + in
        + ") AND claimed_by = ? AND sent_at IS NULL").execute(params).mapEmpty();
  }

  private static String placeholders(int n, Tuple params, List<Pending> rows) {
    StringBuilder sb = new StringBuilder(n * 3);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
      params.addLong(rows.get(i).seq());
    }
    return sb.toString();
  }

  // ---- retention ---------------------------------------------------------------------------------

  /** Deletes sent rows past the retention, a chunk at a time so no statement locks much at once. */
  private void purge() {
    if (stopped || backingOff) {
      return;
    }
    purgeSent().onSuccess(n -> {
      if (n > 0) {
        LOG.debug("outbox relay {} purged {} sent row(s)", relayId, n);
      }
    }).onFailure(err -> LOG.warn("outbox purge failed: {}", err.toString()));
  }

  private Future<Long> purgeSent() {
    long retentionMicros = settings.outboxRetention().toNanos() / 1000;
    return Purges.untilDrained(vertx, () -> pool.preparedQuery("DELETE FROM outbox WHERE sent_at IS NOT NULL "
            + "AND sent_at < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND) LIMIT " + PURGE_CHUNK)
        .execute(Tuple.of(retentionMicros)).map(rows -> rows.rowCount()), PURGE_CHUNK, () -> stopped);
  }

}
