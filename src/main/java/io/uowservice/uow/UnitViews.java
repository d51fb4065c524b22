package io.uowservice.uow;

import io.uowservice.api.EntityJson;
import io.uowservice.domain.UnitLimits;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.Savepoint;
import io.uowservice.domain.UnitOfWork;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** The JSON the actor answers with: unit summaries, entity sets, savepoints, commit results, stats. */
final class UnitViews {

  /** A commit result the summary keeps whole up to this many entities, counts only beyond. */
  private static final int SUMMARY_ENTITIES = 100;

  private final UnitLimits limits;
  private final Duration idleTimeout;

  UnitViews(UnitLimits limits, Duration idleTimeout) {
    this.limits = limits;
    this.idleTimeout = idleTimeout;
  }

  JsonObject summary(UnitOfWork unit, JsonObject lastCommit) {
    return new JsonObject()
        .put("id", unit.id())
        .put("state", unit.status().name().toLowerCase(Locale.ROOT))
        .put("owner", unit.owner())
        .put("counts", counts(unit.counts()))
        .put("size", unit.size())
        .put("max_entities", limits.maxEntities())
        .put("bytes", unit.bytes())
        .put("max_bytes", limits.maxUnitBytes())
        .put("created_at", EntityJson.time(unit.createdAt()))
        .put("last_activity_at", EntityJson.time(unit.lastActivity()))
        .put("expires_at", EntityJson.time(unit.expiresAt(idleTimeout)))
        .put("last_commit", lastCommit);
  }

  static JsonObject registration(UnitOfWork.Registration r) {
    return EntityJson.toJson(r.entity()).put("state", r.state().wireName());
  }

  /** Every set ({@code state} null), or one set as {@code {items}}. */
  static JsonObject entities(UnitOfWork unit, EntityState state) {
    if (state != null) {
      JsonArray items = new JsonArray();
      unit.entities(state).forEach(t -> items.add(EntityJson.toJson(t)));
      return new JsonObject().put("items", items);
    }
    JsonObject sets = new JsonObject();
    for (EntityState s : EntityState.values()) {
      sets.put(s.wireName(), new JsonArray());
    }
    unit.entities().forEach(t -> sets.getJsonArray(t.state().wireName()).add(EntityJson.toJson(t)));
    return sets;
  }

  static JsonObject counts(Map<EntityState, Integer> counts) {
    JsonObject json = new JsonObject();
    for (EntityState s : EntityState.values()) {
      json.put(s.wireName(), counts.getOrDefault(s, 0));
    }
    return json;
  }

  static JsonObject savepoint(Savepoint sp) {
    return new JsonObject().put("name", sp.name()).put("created_at", EntityJson.time(sp.createdAt()))
        .put("counts", counts(sp.counts()));
  }

  static JsonObject savepoints(UnitOfWork unit) {
    JsonArray items = new JsonArray();
    unit.savepoints().forEach(sp -> items.add(savepoint(sp)));
    return new JsonObject().put("items", items);
  }

  static JsonObject rolledBackTo(UnitOfWork unit, Savepoint restored) {
    return new JsonObject().put("unit_of_work_id", unit.id()).put("to_savepoint", restored.name())
        .put("counts", counts(unit.counts()));
  }

  static JsonObject commitResult(UnitOfWork unit, FlushPlan plan, long startedNanos) {
    return new JsonObject()
        .put("unit_of_work_id", unit.id())
        .put("committed", EntityJson.committedCounts(plan))
        .put("entities", EntityJson.committed(plan))
        .put("duration_ms", millisSince(startedNanos));
  }

  static JsonObject transactionResult(UnitOfWork unit, FlushPlan plan, long startedNanos) {
    return new JsonObject()
        .put("transaction_id", unit.id())
        .put("results", EntityJson.committed(plan))
        .put("duration_ms", millisSince(startedNanos));
  }

  /** A commit's response as the summary keeps it: whole when small, else without its per-entity list. */
  static JsonObject kept(JsonObject response) {
    JsonArray entities = response.getJsonArray("entities");
    if (entities == null || entities.size() <= SUMMARY_ENTITIES) {
      return response;
    }
    JsonObject kept = response.copy();
    kept.remove("entities");
    return kept.put("entities_omitted", entities.size());
  }

  static JsonObject stats(Collection<UnitOfWork> units, ShardStats stats) {
    JsonObject entities = new JsonObject();
    for (EntityState s : EntityState.values()) {
      entities.put(s.wireName(), 0);
    }
    int committing = 0;
    for (UnitOfWork unit : units) {
      unit.counts().forEach((s, n) -> entities.put(s.wireName(), entities.getInteger(s.wireName()) + n));
      if (unit.status() == UnitOfWork.Status.COMMITTING) {
        committing++;
      }
    }
    return new JsonObject()
        .put("units", new JsonObject().put("open", units.size()).put("committing", committing)
            .put("created", stats.created).put("expired", stats.expired).put("discarded", stats.discarded))
        .put("entities", entities)
        .put("commits", stats.commits)
        .put("failed_commits", stats.failedCommits)
        .put("rollbacks", stats.rollbacks)
        .put("conflicts", stats.conflicts)
        .put("transactions", stats.transactions)
        .put("idempotent_replays", stats.replays);
  }

  private static double millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000.0;
  }
}
