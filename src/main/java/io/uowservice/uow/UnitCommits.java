package io.uowservice.uow;

import io.uowservice.api.EntityJson;
import io.uowservice.api.Problem;
import io.uowservice.bus.Addresses;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.FlushPlanner;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.events.DomainEvents;
import io.uowservice.events.Outbox;
import io.uowservice.metrics.Telemetry;
import io.uowservice.repository.CatalogHolder;
import io.uowservice.repository.CommitExecutor;
import io.uowservice.repository.CommitStep;
import io.uowservice.repository.IdempotencyStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two ends of a unit: its commit (plan, one transaction through {@link CommitExecutor},
 * progress frames, events once durable, an unknown outcome resolved later) and its rollback;
 * and each session unit's last commit, for its summary. Runs on the actor's event loop.
 */
final class UnitCommits {

  private static final Logger LOG = LoggerFactory.getLogger(UnitCommits.class);
  private static final long RESOLVE_EVERY_MS = 2_000;
  private static final int RESOLVE_ATTEMPTS = 30;

  /** What the actor tells about its units: which are session units, and how to re-weigh one. */
  interface Sessions {
    boolean isSession(UnitOfWork unit);

    void settle(UnitOfWork unit);
  }

  private final Vertx vertx;
  private final Pool pool;
  private final CommitExecutor executor;
  private final CatalogHolder catalog;
  private final ShardStats stats;
  private final Duration idempotencyRetention;
  private final Sessions sessions;
  /** unit id → its last commit: in progress, committed (with the response) or failed (with the problem). */
  private final Map<String, JsonObject> lastCommits = new HashMap<>();

  UnitCommits(Vertx vertx, Pool pool, CommitExecutor executor, CatalogHolder catalog, ShardStats stats,
      Duration idempotencyRetention, Sessions sessions) {
    this.vertx = vertx;
    this.pool = pool;
    this.executor = executor;
    this.catalog = catalog;
    this.stats = stats;
    this.idempotencyRetention = idempotencyRetention;
    this.sessions = sessions;
  }

  JsonObject last(String unitId) {
    return lastCommits.get(unitId);
  }

  void forget(String unitId) {
    lastCommits.remove(unitId);
  }

  /**
   * Commits {@code unit} (frozen: {@code entries}) in one transaction. {@code view} shapes the
   * success body (a unit commit or a transaction); with an idempotency key that body is also stored
   * in the same transaction.
   */
  Future<JsonObject> commit(UnitOfWork unit, List<Tracked> entries, String actor, IdempotentCommits.Request idem,
      BiFunction<FlushPlan, Long, JsonObject> view) {
    long started = System.nanoTime();
    FlushPlan plan;
    try {
      plan = FlushPlanner.plan(entries, catalog.current());
    } catch (RuntimeException e) {
      unit.abortCommit();
      stats.failedCommits++;
      return Future.failedFuture(e);
    }
    Instant at = Instant.now();
    List<JsonObject> events = DomainEvents.ofCommit(unit.id(), actor, plan, at);
    JsonObject[] response = new JsonObject[1];
    Supplier<JsonObject> body = () -> {
      if (response[0] == null) {
        response[0] = view.apply(plan, started);
      }
      return response[0];
    };
    // an empty commit writes nothing: its key is not spent on it
    List<CommitStep> perCommit = idem == null || entries.isEmpty() ? List.of()
        : List.of(IdempotencyStore.record(actor, idem.key(), idem.hash(), idem.scope(), 200, body,
            idempotencyRetention));
    String progress = Addresses.progress(unit.id());
    int total = plan.writes().stream().mapToInt(batch -> batch.entities().size()).sum();
    int[] done = {0};
    publishProgress(progress, "started", 0, total);
    note(unit, new JsonObject().put("status", "committing").put("started_at", EntityJson.time(at)));
    return executor.execute(new CommitStep.Context(unit.id(), actor, plan, at, events), perCommit, rows -> {
          done[0] = rows;
          publishProgress(progress, "writing", rows, total);
        })
        .map(v -> {
          unit.completeCommit();
          stats.commits++;
          Telemetry.commit("committed", Duration.ofNanos(System.nanoTime() - started));
          publishProgress(progress, "committed", total, total);
          events.forEach(event -> vertx.eventBus().publish(Addresses.EVENTS, event));
          note(unit, new JsonObject().put("status", "committed").put("at", EntityJson.time(at))
              .put("result", UnitViews.kept(body.get())));
          return body.get();
        })
        .recover(err -> {
          if (err instanceof UowException.OutcomeUnknown) {
            // the unit stays frozen until the database tells what happened to it
            note(unit, new JsonObject().put("status", "unknown").put("at", EntityJson.time(at))
                .put("problem", Problem.from(err).toJson()));
            Telemetry.commit("unknown", Duration.ofNanos(System.nanoTime() - started));
            publishProgress(progress, "unknown", done[0], total);
            resolveLater(unit, events.get(events.size() - 1).getString("event_id"), body, events, 0);
            return Future.failedFuture(err);
          }
          unit.abortCommit();
          if (err instanceof UowException.StaleVersions) {
            stats.conflicts++;
          }
          stats.failedCommits++;
          Telemetry.commit(err instanceof UowException.StaleVersions ? "conflict"
              : err instanceof UowException && !(err instanceof UowException.Unavailable) ? "rejected" : "failed",
              Duration.ofNanos(System.nanoTime() - started));
          publishProgress(progress, "failed", done[0], total);
          JsonObject failed = new JsonObject().put("status", "failed").put("at", EntityJson.time(at));
          // others are logged and answered once, where the reply is sent
          note(unit, err instanceof UowException ? failed.put("problem", Problem.from(err).toJson()) : failed);
          return Future.failedFuture(err);
        });
  }

  /**
   * After a COMMIT that got no answer: asks the database, a few seconds apart, whether the commit's
   * {@code unit_of_work.committed} event row exists (it is written in the commit's own transaction, so
   * it exists if and only if the commit landed). Found: the unit completes as committed. Absent once the
   * connection is gone: it did not land, the unit opens again as it was. No answer within
   * {@value #RESOLVE_ATTEMPTS} tries: the unit opens again and its summary keeps saying unknown.
   */
  private void resolveLater(UnitOfWork unit, String eventId, Supplier<JsonObject> body, List<JsonObject> events,
      int attempt) {
    vertx.setTimer(RESOLVE_EVERY_MS, t -> Outbox.contains(pool, eventId).onComplete(ar -> {
      if (unit.status() != UnitOfWork.Status.COMMITTING) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        unit.completeCommit();
        stats.commits++;
        note(unit, new JsonObject().put("status", "committed").put("at", EntityJson.time(Instant.now()))
            .put("result", UnitViews.kept(body.get())).put("resolved", true));
        events.forEach(event -> vertx.eventBus().publish(Addresses.EVENTS, event));
        sessions.settle(unit);
      } else if (ar.succeeded() && attempt >= 1) {
        unit.abortCommit();
        stats.failedCommits++;
        note(unit, new JsonObject().put("status", "failed").put("at", EntityJson.time(Instant.now()))
            .put("resolved", true).put("problem", Problem.from(new UowException.Unavailable(
                "the commit did not land (its answer was lost); nothing was written, retry it")).toJson()));
      } else if (attempt + 1 < RESOLVE_ATTEMPTS) {
        resolveLater(unit, eventId, body, events, attempt + 1);
      } else {
        unit.abortCommit();
        LOG.warn("unit of work {}: the outcome of its commit is still unknown after {} checks", unit.id(),
            RESOLVE_ATTEMPTS);
      }
    }));
  }

  /**
   * Discards the unit, writes {@code unit_of_work.rolled_back} to the outbox (its own small insert:
   * nothing else is written), then announces it. The discard happened in memory and cannot be
   * undone, so a failed insert is logged and the rollback still succeeds; the live update still goes out.
   */
  Future<JsonObject> rollback(UnitOfWork unit, String actor) {
    Instant at = Instant.now();
    Map<EntityState, Integer> discarded = unit.discardAll();
    stats.rollbacks++;
    Telemetry.rollback();
    JsonObject event = DomainEvents.rolledBack(unit.id(), actor, discarded, at);
    JsonObject reply = new JsonObject().put("unit_of_work_id", unit.id()).put("discarded", UnitViews.counts(discarded));
    return Outbox.insert(pool, List.of(event), at)
        .onFailure(err -> LOG.error("unit of work {} rolled back, but its event could not be written to the outbox",
            unit.id(), err))
        .transform(ar -> {
          vertx.eventBus().publish(Addresses.EVENTS, event);
          return Future.succeededFuture(reply);
        });
  }

  /**
   * A commit-progress frame for live clients (SockJS {@code uow.progress.<unit id>}); {@code done} counts
   * rows written so far, a few frames per commit (one per write batch), never one per row. Publishing
   * to an address nobody listens to costs next to nothing, so it is not made conditional.
   */
  private void publishProgress(String address, String phase, int done, int total) {
    vertx.eventBus().publish(address, new JsonObject().put("phase", phase).put("done", done).put("total", total));
  }

  /** Remembers a session unit's last commit for its summary (a transaction's unit has no summary). */
  private void note(UnitOfWork unit, JsonObject outcome) {
    if (sessions.isSession(unit)) {
      lastCommits.put(unit.id(), outcome);
    }
  }
}
