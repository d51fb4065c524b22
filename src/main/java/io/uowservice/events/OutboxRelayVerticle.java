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
import java.time.Duration;
import java.util.ArrayList;
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
  private OutboxLeases leases;
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
    leases = new OutboxLeases(pool, settings, relayId);
    producer = KafkaProducer.create(vertx, KafkaSettings.producer(settings, "outbox-" + relayId));
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
    leases.claim()
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

  /**
   * Sends the batch: each entity's events one after the other, in seq order (the next only once the
   * previous is acknowledged, so a refusal never lets a later event overtake it), different
   * entities at once. Marks what Kafka acknowledged as sent; an event Kafka refuses for good (too
   * large, invalid) is dead-lettered and holds back its entity's later events; the rest is released
   * for the next attempt.
   */
  private Future<Void> publish(List<OutboxLeases.Pending> batch) {
    Map<String, List<OutboxLeases.Pending>> byKey = new java.util.LinkedHashMap<>();
    batch.forEach(p -> byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p));
    List<OutboxLeases.Pending> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    List<OutboxLeases.Pending> unsent = java.util.Collections.synchronizedList(new ArrayList<>());
    List<OutboxLeases.Pending> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<Long, String> reasons = new java.util.concurrent.ConcurrentHashMap<>();
    Throwable[] firstFailure = {null};
    List<Future<Void>> keys = new ArrayList<>(byKey.size());
    for (List<OutboxLeases.Pending> events : byKey.values()) {
      keys.add(sendInOrder(events, 0, sent, unsent, refused, reasons, firstFailure));
    }
    return Future.join(keys).transform(all -> {
      Throwable failure = firstFailure[0] == null || sent.isEmpty() && refused.isEmpty() ? firstFailure[0]
          : new PartialFailure(unsent.size(), firstFailure[0]);
      if (stopped) {
        return Future.<Void>succeededFuture(); // leave the rows to their lease (see stop)
      }
      return leases.markSent(sent).compose(v -> leases.deadLetter(refused, reasons)).compose(v -> leases.release(unsent))
          .compose(v -> failure == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failure));
    });
  }

  private Future<Void> sendInOrder(List<OutboxLeases.Pending> events, int from, List<OutboxLeases.Pending> sent, List<OutboxLeases.Pending> unsent,
      List<OutboxLeases.Pending> refused, Map<Long, String> reasons, Throwable[] firstFailure) {
    if (from == events.size()) {
      return Future.succeededFuture();
    }
    OutboxLeases.Pending p = events.get(from);
    return producer.send(KafkaProducerRecord.create(settings.topic(), p.key(), p.payload())).transform(ar -> {
      if (ar.succeeded()) {
        sent.add(p);
        return sendInOrder(events, from + 1, sent, unsent, refused, reasons, firstFailure);
      }
      if (KafkaSettings.refusedForGood(ar.cause())) {
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

  // ---- retention ---------------------------------------------------------------------------------

  /** Deletes sent rows past the retention, a chunk at a time so no statement locks much at once. */
  private void purge() {
    if (stopped || backingOff) {
      return;
    }
    leases.purgeSent(vertx, () -> stopped).onSuccess(n -> {
      if (n > 0) {
        LOG.debug("outbox relay {} purged {} sent row(s)", relayId, n);
      }
    }).onFailure(err -> LOG.warn("outbox purge failed: {}", err.toString()));
  }


}
