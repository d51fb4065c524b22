package io.uowservice.api;

import io.uowservice.domain.Entity;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.Tracked;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's JSON shape of entities, and conversion between Vert.x JSON and the core's plain maps. */
public final class EntityJson {

  private EntityJson() {
  }

  public static JsonObject toJson(Entity e) {
    return new JsonObject()
        .put("id", e.id())
        .put("type", e.type())
        .put("name", e.name())
        .put("description", e.description())
        .put("metadata", new JsonObject(e.metadata()))
        .put("active", e.active())
        .put("version", e.version())
        .put("created_at", time(e.createdAt()))
        .put("updated_at", time(e.updatedAt()))
        .put("attributes", new JsonObject(e.attributes()));
  }

  public static JsonObject toJson(Tracked t) {
    return toJson(t.entity()).put("state", t.state().wireName());
  }

  public static Entity fromJson(JsonObject json) {
    return new Entity(json.getString("id"), json.getString("type"), json.getString("name"),
        json.getString("description"), plainMap(json.getJsonObject("metadata")), json.getBoolean("active", true),
        json.getLong("version", 0L), instant(json.getString("created_at")), instant(json.getString("updated_at")),
        plainMap(json.getJsonObject("attributes")));
  }

  /** What a commit wrote: {@code [{lid?, id, type, version, state}]} in registration order. */
  public static JsonArray committed(FlushPlan plan) {
    JsonArray out = new JsonArray();
    for (FlushPlan.Committed c : plan.results()) {
      JsonObject e = new JsonObject();
      if (c.lid() != null) {
        e.put("lid", c.lid());
      }
      out.add(e.put("id", c.id()).put("type", c.type()).put("version", c.version()).put("state", c.state().wireName()));
    }
    return out;
  }

  /** {@code {new, dirty, deleted}}: rows a commit inserted, updated, deleted. */
  public static JsonObject committedCounts(FlushPlan plan) {
    return new JsonObject()
        .put("new", plan.count(FlushPlan.Operation.INSERT))
        .put("dirty", plan.count(FlushPlan.Operation.UPDATE))
        .put("deleted", plan.count(FlushPlan.Operation.DELETE));
  }

  public static String time(Instant instant) {
    return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  /** A deep copy with JsonObject/JsonArray replaced by Map/List, as the core expects. */
  public static Map<String, Object> plainMap(JsonObject json) {
    if (json == null) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) plain(json);
    return map;
  }

  public static Object plain(Object value) {
    if (value instanceof JsonObject obj) {
      return plain(obj.getMap());
    }
    if (value instanceof JsonArray arr) {
      return plain(arr.getList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }
}
