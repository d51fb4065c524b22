package io.uowservice.housekeeping;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.Messages;
import io.uowservice.bus.Replies;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.UowException;
import io.uowservice.metrics.Telemetry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.uowservice.events.Outbox;
import io.uowservice.repository.Database;
import io.uowservice.repository.IdempotencyStore;
import io.uowservice.repository.Purges;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the rows that only ever grow, at the rate they are written: expired Idempotency-Key
 * records, and — when Kafka is disabled, so no relay will ever publish or purge them — outbox rows
 * older than {@code message_queue.outbox_retention}. One instance per node; several nodes purging
 * the same rows only share the work. Each pass deletes in chunks until nothing old is left, so a
 * backlog never outgrows it.
 */
public final class HousekeepingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HousekeepingVerticle.class);

  private AppConfig config;
  private Pool pool;
  private long timer;
  private boolean running;
  private volatile boolean stopped;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    pool = Database.pool(vertx, config.mysql());
    // often enough that nothing outlives its retention by much, at most every 10 s
    long every = Math.max(1000, Math.min(10_000, Math.min(config.messageQueue().outboxRetention().toMillis(),
        config.units().idempotencyRetention().toMillis()) / 2));
    timer = vertx.setPeriodic(every, id -> pass());
    return vertx.eventBus().<JsonObject>consumer(Addresses.OUTBOX, this::outbox).completion();
  }

  /** The outbox's dead letters, for admins and for the health check. */
  private void outbox(Message<JsonObject> message) {
    String action = message.headers().get(Addresses.ACTION);
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    Replies.answer(message, () -> switch (action == null ? "" : action) {
      case Addresses.OutboxActions.DEAD_LETTERS -> Outbox.deadLetters(pool, body.getInteger(Messages.LIMIT, 100))
          .map(items -> new JsonObject().put(Messages.ITEMS, items));
      case Addresses.OutboxActions.RETRY -> Outbox.retryDeadLetter(pool, body.getLong(Messages.ID, -1L))
          .compose(found -> found ? Future.succeededFuture(new JsonObject().put("retried", true))
              : Future.failedFuture(new UowException.NotFound("no dead letter " + body.getLong(Messages.ID))));
      case Addresses.OutboxActions.COUNT_DEAD -> Outbox.countDeadLetters(pool).map(n -> {
        Telemetry.outboxDeadLetters(n);
        return new JsonObject().put("dead_letters", n);
      });
      default -> Future.failedFuture(new IllegalArgumentException("unknown outbox action " + action));
    });
  }

  private void pass() {
    if (running || stopped) {
      return; // a long pass is still draining: the next tick picks up after it
    }
    running = true;
    drain("expired idempotency record", () -> IdempotencyStore.purge(pool, Instant.now()), IdempotencyStore.PURGE_CHUNK)
        .compose(v -> config.messageQueue().enabled() ? Future.succeededFuture()
            : drain("unpublished outbox row", () -> Outbox.purgeOlderThan(pool,
                Instant.now().minus(config.messageQueue().outboxRetention())), Outbox.PURGE_CHUNK))
        .compose(v -> Outbox.countDeadLetters(pool).map(n -> {
          Telemetry.outboxDeadLetters(n);
          return null;
        }))
        .onFailure(err -> LOG.warn("housekeeping: {}", err.toString()))
        .onComplete(ar -> running = false);
  }

  private Future<Void> drain(String what, Supplier<Future<Integer>> chunk, int chunkSize) {
    return Purges.untilDrained(vertx, chunk, chunkSize, () -> stopped).map(n -> {
      if (n > 0) {
        LOG.debug("housekeeping deleted {} {}(s)", n, what);
      }
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
