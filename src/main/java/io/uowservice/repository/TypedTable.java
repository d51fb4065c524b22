package io.uowservice.repository;

import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityType;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A built-in type's table: typed columns for the contract's attributes (money as DECIMAL(19,4)),
 * anything else the client sent kept in the {@code extra} JSON column.
 */
public class TypedTable extends EntityTable {

  public enum Kind { STRING, DECIMAL, INTEGER }

  /** A typed column holding the attribute of the same name; {@code indexed} if a secondary index covers it. */
  public record Column(String name, Kind kind, boolean indexed) {
    public Column(String name, Kind kind) {
      this(name, kind, false);
    }
  }

  protected final List<Column> columns;

  public TypedTable(String table, List<Column> columns) {
    super(table);
    this.columns = List.copyOf(columns);
    this.selectColumns = BASE_COLUMNS + ", " + typedNames() + ", extra";
    this.updateAssignments = BASE_UPDATE + ", " + this.columns.stream().map(c -> c.name() + " = ?")
        .collect(Collectors.joining(", ")) + ", extra = ?";
    this.indexedColumnsKept = this.columns.stream().filter(Column::indexed)
        .map(c -> " AND CAST(" + c.name() + " AS BINARY) <=> CAST(? AS BINARY)").collect(Collectors.joining());
  }

  // the statements' column lists, built once (they were rebuilt from the columns for every statement)
  private final String selectColumns;
  private final String updateAssignments;
  private final String indexedColumnsKept;

  private String typedNames() {
    return columns.stream().map(Column::name).collect(Collectors.joining(", "));
  }

  @Override
  protected String selectColumns() {
    return selectColumns;
  }

  @Override
  protected String insertColumns() {
    return selectColumns;
  }

  @Override
  protected List<Object> insertValues(Entity e, Instant now) {
    List<Object> values = baseInsertValues(e, now);
    values.addAll(typedValues(e));
    return values;
  }

  @Override
  protected String updateAssignments() {
    return updateAssignments;
  }

  @Override
  protected List<Object> updateValues(Entity e) {
    List<Object> values = baseUpdateValues(e);
    values.addAll(typedValues(e));
    return values;
  }

  /** The typed columns' values, then the extra JSON. */
  private List<Object> typedValues(Entity e) {
    List<Object> values = new java.util.ArrayList<>();
    Map<String, Object> extra = new LinkedHashMap<>(e.attributes());
    for (Column c : columns) {
      values.add(columnValue(c, extra.remove(c.name())));
    }
    removeKeptElsewhere(extra);
    values.add(Sql.json(extra));
    return values;
  }

  private static Object columnValue(Column c, Object v) {
    return v == null ? null : switch (c.kind()) {
      case STRING -> v.toString();
      case DECIMAL -> new BigDecimal(v.toString()).toPlainString();
      case INTEGER -> ((Number) v).longValue();
    };
  }

  // byte for byte: a PAD SPACE collation calls 'a' and 'a ' equal, the index does not
  @Override
  protected String indexedColumnsKept() {
    return indexedColumnsKept;
  }

  @Override
  protected void addIndexedValues(io.vertx.sqlclient.Tuple params, Entity e) {
    columns.stream().filter(Column::indexed).forEach(c -> params.addValue(columnValue(c, e.attributes().get(c.name()))));
  }

  /** Attributes stored outside this row (an order's items) are left out of {@code extra}. */
  protected void removeKeptElsewhere(Map<String, Object> extra) {
  }

  @Override
  protected Entity fromRow(String type, Row row) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (Column c : columns) {
      Object v = row.getValue(c.name());
      if (v == null) {
        continue;
      }
      attributes.put(c.name(), switch (c.kind()) {
        case STRING -> v.toString();
        case DECIMAL -> io.uowservice.domain.Money.canonical(Sql.decimal(v));
        case INTEGER -> ((Number) v).intValue();
      });
    }
    Sql.jsonMap(row, "extra").forEach(attributes::putIfAbsent);
    return baseEntity(type, row, attributes);
  }

  @Override
  public Map<String, FilterField> filterFields(EntityType type) {
    Map<String, FilterField> fields = baseFilters();
    for (Column c : columns) {
      fields.put(c.name(), new FilterField(c.name(), switch (c.kind()) {
        case STRING -> FilterKind.STRING;
        case DECIMAL -> FilterKind.DECIMAL;
        case INTEGER -> FilterKind.INTEGER;
      }));
    }
    return fields;
  }
}
