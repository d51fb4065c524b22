package io.uowservice.events;

import io.uowservice.bus.Addresses;
import io.uowservice.config.AppConfig;
import io.uowservice.repository.Database;
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
 * <p>Order per entity: a row is claimed only when no earlier row of its key is still unsent, so an
 * entity's next event waits until the previous one is acknowledged — whichever relay holds it,
 * and even if it keeps failing (an oversized record, say). Different entities never wait for
 * each other. A batch holds at most one event per entity, which costs only hot entities.
 */
public final class OutboxRelayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final int PURGE_CHUNK = 1000;

  private static final String CLAIM = "SELECT o.seq, o.event_key, o.payload FROM outbox o "
      + "WHERE o.sent_at IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < UTC_TIMESTAMP(6)) "
      + "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.event_key = o.event_key AND p.sent_at IS NULL "
      + "AND p.seq < o.seq) "
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
      List<Pending> batch = new ArrayList<>(rows.size());
      for (Row row : rows) {
        batch.add(new Pending(row.getLong(0), row.getString(1), row.getString(2)));
      }
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
   * Sends the batch; marks what Kafka acknowledged as sent and releases the rest for the next
   * attempt. The client hands records to the Kafka producer on one ordered worker context, so they
   * enter it in seq order, and the idempotent producer keeps that order per partition.
   */
  private Future<Void> publish(List<Pending> batch) {
    List<Future<?>> sends = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      sends.add(producer.send(KafkaProducerRecord.create(settings.topic(), p.key(), p.payload())));
    }
    return Future.join(sends).transform(all -> {
      List<Pending> sent = new ArrayList<>();
      List<Pending> unsent = new ArrayList<>();
      Throwable firstFailure = null;
      for (int i = 0; i < batch.size(); i++) {
        if (sends.get(i).succeeded()) {
          sent.add(batch.get(i));
        } else {
          unsent.add(batch.get(i));
          firstFailure = firstFailure == null ? sends.get(i).cause() : firstFailure;
        }
      }
      Throwable failure = firstFailure == null || sent.isEmpty() ? firstFailure
          : new PartialFailure(unsent.size(), firstFailure);
      if (stopped) {
        return Future.<Void>succeededFuture(); // leave the rows to their lease (see stop)
      }
      return markSent(sent).compose(v -> release(unsent))
          .compose(v -> failure == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failure));
    });
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
    purgeChunk(0).onSuccess(n -> {
      if (n > 0) {
        LOG.debug("outbox relay {} purged {} sent row(s)", relayId, n);
      }
    }).onFailure(err -> LOG.warn("outbox purge failed: {}", err.toString()));
  }

  private Future<Long> purgeChunk(long deletedSoFar) {
    long retentionMicros = settings.outboxRetention().toNanos() / 1000;
    return pool.preparedQuery("DELETE FROM outbox WHERE sent_at IS NOT NULL "
            + "AND sent_at < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND) LIMIT " + PURGE_CHUNK)
        .execute(Tuple.of(retentionMicros))
        .compose(rs -> rs.rowCount() == PURGE_CHUNK && !stopped ? purgeChunk(deletedSoFar + rs.rowCount())
            : Future.succeededFuture(deletedSoFar + rs.rowCount()));
  }
}
