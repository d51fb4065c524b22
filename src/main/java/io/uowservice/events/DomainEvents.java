package io.uowservice.events;

import io.uowservice.api.EntityJson;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.Tracked;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The domain events of the contract: {@code {event_id, type, unit_of_work_id, entity_type,
 * entity_id, version, actor, occurred_at, data}}. Built once per commit or rollback, so the outbox
 * row, the Kafka record and the live update all carry the same {@code event_id}.
 */
public final class DomainEvents {

  public static final String ENTITY_CREATED = "entity.created";
  public static final String ENTITY_UPDATED = "entity.updated";
  public static final String ENTITY_DELETED = "entity.deleted";
  public static final String UNIT_COMMITTED = "unit_of_work.committed";
  public static final String UNIT_ROLLED_BACK = "unit_of_work.rolled_back";

  private DomainEvents() {
  }

  /** One event per written entity in write order, then {@code unit_of_work.committed}. */
  public static List<JsonObject> ofCommit(String unitId, String actor, FlushPlan plan, Instant at) {
    List<JsonObject> events = new ArrayList<>();
    for (FlushPlan.WriteBatch batch : plan.writes()) {
      for (Tracked t : batch.entities()) {
        Entity stored = switch (batch.operation()) {
          case INSERT -> t.entity().committed(1, at);
          case UPDATE -> t.entity().committed(t.expectedVersion() + 1, at);
          case DELETE -> t.entity();
        };
        String type = switch (batch.operation()) {
          case INSERT -> ENTITY_CREATED;
          case UPDATE -> ENTITY_UPDATED;
          case DELETE -> ENTITY_DELETED;
        };
        events.add(event(type, unitId, actor, at, stored.type(), stored.id(), stored.version(),
            EntityJson.toJson(stored)));
      }
    }
    JsonObject summary = new JsonObject().put("committed", EntityJson.committedCounts(plan))
        .put("entities", EntityJson.committed(plan));
    events.add(event(UNIT_COMMITTED, unitId, actor, at, null, null, null, summary));
    return events;
  }

  public static JsonObject rolledBack(String unitId, String actor, Map<EntityState, Integer> discarded, Instant at) {
    JsonObject counts = new JsonObject();
    discarded.forEach((state, n) -> counts.put(state.wireName(), n));
    return event(UNIT_ROLLED_BACK, unitId, actor, at, null, null, null, new JsonObject().put("discarded", counts));
  }

  /** The Kafka key: the entity id (order per entity), or the unit id for unit events. */
  public static String key(JsonObject event) {
    String entityId = event.getString("entity_id");
    return entityId != null ? entityId : event.getString("unit_of_work_id");
  }

  private static JsonObject event(String type, String unitId, String actor, Instant at, String entityType,
      String entityId, Long version, JsonObject data) {
    return new JsonObject()
        .put("event_id", UUID.randomUUID().toString())
        .put("type", type)
        .put("unit_of_work_id", unitId)
        .put("entity_type", entityType)
        .put("entity_id", entityId)
        .put("version", version)
        .put("actor", actor)
        .put("occurred_at", EntityJson.time(at))
        .put("data", data);
  }
}
