package io.uowservice.repository;

import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityType;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The generic table of the {@code custom} type and every runtime-registered type: attributes as a
 * JSON document, validated before it gets here by the type's JSON Schema.
 */
public final class CustomTable extends EntityTable {

  private static final Pattern PROPERTY = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,63}$");

  public CustomTable() {
    super("custom_entities");
  }

  @Override
  protected String typeCondition() {
    return " AND entity_type = ?";
  }

  @Override
  protected void addTypeParams(Tuple tuple, String type) {
    tuple.addValue(type);
  }

  @Override
  protected String selectColumns() {
    return BASE_COLUMNS + ", attributes";
  }

  @Override
  protected String insertColumns() {
    return BASE_COLUMNS + ", entity_type, attributes";
  }

  @Override
  protected List<Object> insertValues(Entity e, Instant now) {
    List<Object> values = baseInsertValues(e, now);
    values.add(e.type());
    values.add(Sql.json(e.attributes()));
    return values;
  }

  @Override
  protected String updateAssignments() {
    return BASE_UPDATE + ", attributes = ?";
  }

  @Override
  protected List<Object> updateValues(Entity e) {
    List<Object> values = baseUpdateValues(e);
    values.add(Sql.json(e.attributes()));
    return values;
  }

  @Override
  protected Entity fromRow(String type, Row row) {
    return baseEntity(type, row, Sql.jsonMap(row, "attributes"));
  }

  /**
   * Entity fields, plus the top-level scalar properties a registered type's schema declares. The
   * JSON path is built only from allow-listed property names; the value is always a parameter.
   */
  @Override
  public Map<String, FilterField> filterFields(EntityType type) {
    Map<String, FilterField> fields = baseFilters();
    if (type.schema() != null && type.schema().get("properties") instanceof Map<?, ?> properties) {
      for (Map.Entry<?, ?> p : properties.entrySet()) {
        String name = String.valueOf(p.getKey());
        if (!PROPERTY.matcher(name).matches() || fields.containsKey(name) || !(p.getValue() instanceof Map<?, ?> s)) {
          continue;
        }
        Object jsonType = s.get("type");
        String extract = "JSON_UNQUOTE(JSON_EXTRACT(attributes, '$." + name + "'))";
        if ("string".equals(jsonType)) {
          fields.put(name, new FilterField(extract, FilterKind.STRING));
        } else if ("integer".equals(jsonType)) {
          fields.put(name, new FilterField("CAST(" + extract + " AS SIGNED)", FilterKind.INTEGER));
        } else if ("boolean".equals(jsonType)) {
          fields.put(name, new FilterField("(" + extract + " = 'true')", FilterKind.BOOLEAN));
        } else if ("number".equals(jsonType)) {
          fields.put(name, new FilterField("CAST(" + extract + " AS DECIMAL(38,10))", FilterKind.DECIMAL));
        }
      }
    }
    return fields;
  }
}
