package io.uowservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The process's Prometheus registry, scraped at {@code /metrics}: Vert.x's own metrics (HTTP,
 * event bus, pools; when Main enables them) plus the service's domain meters declared here.
 */
public final class Telemetry {

  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  static {
    Metrics.addRegistry(REGISTRY);
  }

  private Telemetry() {
  }

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }

  private static MeterRegistry meters() {
    return REGISTRY;
  }

  /** Each commit outcome's meters, built once: a lookup by builder per commit showed in the profile. */
  private static final java.util.Map<String, CommitMeters> COMMIT_METERS = new java.util.concurrent.ConcurrentHashMap<>();

  private record CommitMeters(Counter count, Timer duration) {
  }

  /** A commit's outcome: committed, conflict (stale versions), rejected (client error) or failed. */
  public static void commit(String outcome, Duration took) {
    CommitMeters m = COMMIT_METERS.computeIfAbsent(outcome, o -> new CommitMeters(
        Counter.builder("uow_commits").description("Commits of units of work and transactions by outcome")
            .tag("outcome", o).register(meters()),
        Timer.builder("uow_commit_duration").description("Time from commit request to its outcome")
            .tag("outcome", o).publishPercentileHistogram().register(meters())));
    m.count().increment();
    m.duration().record(took);
  }

  /** A commit transaction retried inside the service after a deadlock or a lock wait timeout. */
  public static void commitRetry(String reason) {
    Counter.builder("uow_commit_retries").description("Commit transactions retried after a deadlock or lock wait timeout")
        .tag("reason", reason).register(meters()).increment();
  }

  /** A Kafka command whose result the results topic refused for good, published to the dead-letter topic. */
  public static void commandDeadLettered() {
    Counter.builder("uow_commands_dead_lettered").description("Kafka command results refused by the results topic "
        + "and dead-lettered").register(meters()).increment();
  }

  private static final java.util.concurrent.atomic.AtomicLong DEAD_LETTERS = new java.util.concurrent.atomic.AtomicLong();

  static {
    io.micrometer.core.instrument.Gauge.builder("uow_outbox_dead_letters", DEAD_LETTERS, java.util.concurrent.atomic.AtomicLong::get)
        .description("Outbox events Kafka refused for good, set aside until an admin retries them")
        .register(REGISTRY);
  }

  /** The outbox's dead letters, as last counted. */
  public static void outboxDeadLetters(long count) {
    DEAD_LETTERS.set(count);
  }

  public static void rollback() {
    Counter.builder("uow_rollbacks").description("Units of work rolled back").register(meters()).increment();
  }

  public static void idempotentReplay() {
    Counter.builder("uow_idempotent_replays").description("Requests answered from a stored Idempotency-Key outcome")
        .register(meters()).increment();
  }

  public static void unitExpired() {
    Counter.builder("uow_units_expired").description("Idle units of work discarded").register(meters()).increment();
  }
}
