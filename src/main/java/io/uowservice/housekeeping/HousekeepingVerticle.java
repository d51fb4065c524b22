package io.uowservice.housekeeping;

import io.uowservice.bus.OutboxAdmin;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.UowException;
import io.uowservice.metrics.Telemetry;
import io.vertx.core.json.JsonArray;
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
public final class HousekeepingVerticle extends VerticleBase implements OutboxAdmin {

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
    return ServiceBinder.outbox(vertx, this);
  }

  @Override
  public Future<JsonArray> deadLetters(int limit) {
    return Outbox.deadLetters(pool, limit);
  }

  @Override
  public Future<JsonObject> retry(long seq) {
    return Outbox.retryDeadLetter(pool, seq).compose(found -> found
        ? Future.succeededFuture(new JsonObject().put("retried", true))
        : Future.failedFuture(new UowException.NotFound("no dead letter " + seq)));
  }

  /** For admins and for the health check, which keeps the gauge current. */
  @Override
  public Future<Long> countDeadLetters() {
    return Outbox.countDeadLetters(pool).map(n -> {
      Telemetry.outboxDeadLetters(n);
      return n;
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
