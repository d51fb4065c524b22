package io.uowservice.repository;

import io.uowservice.api.EntityJson;
import io.uowservice.domain.AttributeRules;
import io.uowservice.domain.EntityType;
import io.uowservice.domain.ReferencingRules;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Entity types registered at run time, stored in {@code entity_types}. */
public final class RuntimeTypes {

  private static final String COLUMNS = "name, display_name, description, json_schema, references_json, created_at";

  private RuntimeTypes() {
  }

  public static EntityType entityType(String name, String displayName, String description, Map<String, Object> schema,
      Map<String, String> references) {
    AttributeRules rules = schema == null ? AttributeRules.ANY : JsonSchemaRules.compile(name, schema);
    if (references.isEmpty()) {
      return new EntityType(name, false, displayName, description, Set.of(), rules, schema);
    }
    return new EntityType(name, false, displayName, description, Set.copyOf(references.values()),
        new ReferencingRules(rules, references), schema);
  }

  /** The references a runtime type declared: attribute → target type. */
  public static Map<String, String> references(EntityType type) {
    return type.rules() instanceof ReferencingRules r ? r.declared() : Map.of();
  }

  public static Future<List<EntityType>> loadAll(SqlClient client) {
    return client.query("SELECT " + COLUMNS + " FROM entity_types ORDER BY name").execute().map(rows -> {
      List<EntityType> types = new ArrayList<>();
      rows.forEach(row -> types.add(fromRow(row)));
      return types;
    });
  }

  public static Future<Optional<EntityType>> load(SqlClient client, String name) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM entity_types WHERE name = ?").execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(fromRow(rows.iterator().next())));
  }

  public static Future<Void> insert(SqlClient client, EntityType type, Instant at) {
    return client.preparedQuery("INSERT INTO entity_types (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(type.name(), type.displayName(), type.description(),
            type.schema() == null ? null : Sql.json(type.schema()),
            references(type).isEmpty() ? null : Sql.json(new java.util.LinkedHashMap<>(references(type))),
            Sql.timestamp(at)))
        .mapEmpty();
  }

  private static EntityType fromRow(Row row) {
    Object schema = row.getValue("json_schema");
    Map<String, Object> schemaMap = schema == null ? null : EntityJson.plainMap(new JsonObject(schema.toString()));
    Object refs = row.getValue("references_json");
    Map<String, String> references = new java.util.TreeMap<>();
    if (refs != null) {
      new JsonObject(refs.toString()).forEach(e -> references.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return entityType(row.getString("name"), row.getString("display_name"), row.getString("description"), schemaMap,
        references);
  }
}
