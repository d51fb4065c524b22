package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityType;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The SQL of one table of entities. Each type's repository code: reads for its repository verticle,
 * and the writes a commit performs on the transaction's connection.
 */
public abstract class EntityTable {

  static final int ROWS_PER_INSERT = 500;
  private static final java.util.regex.Pattern FILTER_DECIMAL = java.util.regex.Pattern.compile("-?\\d{1,28}(\\.\\d{1,10})?");
  static final int IDS_PER_QUERY = 1000;
  static final String BASE_COLUMNS = "id, name, description, metadata, active, version, created_at, updated_at";

  /** A field a list or count may filter on: its SQL expression and how to read the query value. */
  public record FilterField(String sql, FilterKind kind) {
  }

  public enum FilterKind { STRING, BOOLEAN, INTEGER, DECIMAL }

  /** One page of a keyset-paginated list. */
  public record Page(List<Entity> items, String lastId, boolean more) {
  }

  protected final String table;

  protected EntityTable(String table) {
    this.table = table;
  }

  public String table() {
    return table;
  }

  /** Extra WHERE condition and parameters that restrict this table to one type (the generic table). */
  protected String typeCondition() {
    return "";
  }

  protected void addTypeParams(Tuple tuple, String type) {
  }

  /**
   * Conditions (with {@link #addIndexedValues}) that an UPDATE to an entity leaves every column of a
   * secondary index as stored; empty when the table's other indexes never change on update.
   */
  protected String indexedColumnsKept() {
    return "";
  }

  protected void addIndexedValues(Tuple params, Entity e) {
  }

  protected abstract String selectColumns();

  protected abstract Entity fromRow(String type, Row row);

  public abstract Map<String, FilterField> filterFields(EntityType type);

  protected abstract List<Object> insertValues(Entity e, Instant now);

  protected abstract String insertColumns();

  protected abstract String updateAssignments();

  protected abstract List<Object> updateValues(Entity e);

  // ---- reads ---------------------------------------------------------------------------------

  public Future<Optional<Entity>> find(SqlClient client, String type, String id) {
    Tuple params = Tuple.of(id);
    addTypeParams(params, type);
    return client.preparedQuery("SELECT " + selectColumns() + " FROM " + table + " WHERE id = ?" + typeCondition())
        .execute(params)
        .compose(rows -> decorate(client, entities(type, rows)))
        .map(list -> list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
  }

  /** The stored entities among {@code ids} (any order), one query per {@value #IDS_PER_QUERY} ids. */
  public Future<List<Entity>> findMany(SqlClient client, String type, Collection<String> ids) {
    List<Entity> found = new ArrayList<>();
    return Futures.inOrder(Sql.chunks(new TreeSet<>(ids), IDS_PER_QUERY), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(params::addValue);
      addTypeParams(params, type);
      String sql = "SELECT " + selectColumns() + " FROM " + table + " WHERE id IN (" + Sql.placeholders(chunk.size())
          + ")" + typeCondition();
      return client.preparedQuery(sql).execute(params)
          .compose(rows -> decorate(client, entities(type, rows)))
          .map(entities -> {
            found.addAll(entities);
            return null;
          });
    }).map(found);
  }

  public Future<Boolean> exists(SqlClient client, String type, String id) {
    Tuple params = Tuple.of(id);
    addTypeParams(params, type);
    return client.preparedQuery("SELECT 1 FROM " + table + " WHERE id = ?" + typeCondition()).execute(params)
        .map(rows -> rows.size() > 0);
  }

  public Future<Page> list(SqlClient client, EntityType type, Map<String, String> filters, int limit, String after) {
    Tuple params = Tuple.tuple();
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    addTypeParams(params, type.name());
    where.append(typeCondition());
    appendFilters(type, filters, where, params);
    if (after != null) {
      where.append(" AND id > ?");
      params.addValue(after);
    }
    params.addValue(limit + 1);
    return client.preparedQuery("SELECT " + selectColumns() + " FROM " + table + where + " ORDER BY id LIMIT ?")
        .execute(params)
        .compose(rows -> decorate(client, entities(type.name(), rows)))
        .map(all -> {
          boolean more = all.size() > limit;
          List<Entity> page = more ? all.subList(0, limit) : all;
          return new Page(page, page.isEmpty() ? null : page.get(page.size() - 1).id(), more);
        });
  }

  public Future<Long> count(SqlClient client, EntityType type, Map<String, String> filters) {
    Tuple params = Tuple.tuple();
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    addTypeParams(params, type.name());
    where.append(typeCondition());
    appendFilters(type, filters, where, params);
    return client.preparedQuery("SELECT COUNT(*) FROM " + table + where).execute(params)
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private void appendFilters(EntityType type, Map<String, String> filters, StringBuilder where, Tuple params) {
    Map<String, FilterField> allowed = filterFields(type);
    for (Map.Entry<String, String> f : new TreeMap<>(filters).entrySet()) {
      FilterField field = allowed.get(f.getKey());
      if (field == null) {
        throw new UowException.BadRequest("cannot filter " + type.name() + " by '" + f.getKey()
            + "'; filterable fields: " + String.join(", ", new TreeSet<>(allowed.keySet())));
      }
      where.append(" AND ").append(field.sql()).append(" = ?");
      params.addValue(filterValue(f.getKey(), field.kind(), f.getValue()));
    }
  }

  private static Object filterValue(String name, FilterKind kind, String raw) {
    try {
      return switch (kind) {
        case STRING -> raw;
        case BOOLEAN -> switch (raw) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new IllegalArgumentException();
        };
        case INTEGER -> Long.parseLong(raw);
        // plain digits only: an exponent ("1e999999999") would expand to a billion digits
        case DECIMAL -> {
          if (!FILTER_DECIMAL.matcher(raw).matches()) {
            throw new IllegalArgumentException();
          }
          yield new java.math.BigDecimal(raw).toPlainString();
        }
      };
    } catch (RuntimeException e) {
      throw new UowException.BadRequest("filter '" + name + "' must be " + switch (kind) {
        case BOOLEAN -> "true or false";
        case INTEGER -> "an integer";
        case DECIMAL -> "a decimal number of at most 28 integer and 10 fraction digits, without exponent";
        case STRING -> "a string";
      } + ", got '" + raw + "'");
    }
  }

  /** Adds data kept outside the row (an order's items). */
  protected Future<List<Entity>> decorate(SqlClient client, List<Entity> entities) {
    return Future.succeededFuture(entities);
  }

  private List<Entity> entities(String type, RowSet<Row> rows) {
    List<Entity> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(fromRow(type, row));
    }
    return out;
  }

  // ---- commit-time checks and writes (on the transaction's connection) ----------------------

  /** Locks the rows and returns id → stored version for those that exist. */
  public Future<Map<String, Long>> lockVersions(SqlClient conn, String type, Collection<String> ids) {
    Map<String, Long> versions = new TreeMap<>();
    return selectByIds(conn, type, ids, "id, version", " ORDER BY id FOR UPDATE",
        row -> versions.put(row.getString(0), row.getLong(1))).map(versions);
  }

  /** Which of {@code ids} exist, taking shared locks so they cannot vanish before the commit. */
  public Future<Set<String>> existing(SqlClient conn, String type, Collection<String> ids) {
    Set<String> found = new TreeSet<>();
    return selectByIds(conn, type, ids, "id", " LOCK IN SHARE MODE", row -> found.add(row.getString(0)))
        .map(found);
  }

  /** {@code SELECT columns ... WHERE id IN (...)} in sorted chunks, so locks are always taken in id order. */
  private Future<Void> selectByIds(SqlClient conn, String type, Collection<String> ids, String columns,
      String suffix, java.util.function.Consumer<Row> onRow) {
    return Futures.inOrder(Sql.chunks(new TreeSet<>(ids), IDS_PER_QUERY), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(params::addValue);
      addTypeParams(params, type);
      String sql = "SELECT " + columns + " FROM " + table + " WHERE id IN (" + Sql.placeholders(chunk.size()) + ")"
          + typeCondition() + suffix;
      return conn.preparedQuery(sql).execute(params).map(rows -> {
        rows.forEach(onRow);
        return null;
      });
    });
  }

  /**
   * Multi-row INSERTs of up to {@value #ROWS_PER_INSERT} rows and the server's packet size: a few
   * round trips for thousands of entities, and large entities split so no statement is refused.
   */
  public Future<Void> insert(SqlClient conn, List<Entity> entities, Instant now) {
    int columns = (int) insertColumns().chars().filter(c -> c == ',').count() + 1;
    List<List<Object>> rows = entities.stream().map(e -> insertValues(e, now)).toList();
    return Pipeline.then(conn, () -> Pipeline.each(conn, Sql.chunks(rows, ROWS_PER_INSERT, Sql::bytes), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(row -> row.forEach(params::addValue));
      String sql = "INSERT INTO " + table + " (" + insertColumns() + ") VALUES "
          + Sql.rowPlaceholders(chunk.size(), columns);
      return conn.preparedQuery(sql).execute(params);
    }), () -> afterInsert(conn, entities));
  }

  protected Future<Void> afterInsert(SqlClient conn, List<Entity> entities) {
    return Future.succeededFuture();
  }

  /** Version-checked UPDATEs; completes with the ids whose expected version no longer matched. */
  public Future<List<String>> update(SqlClient conn, List<Tracked> rows, Instant now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Tuple> batch = new ArrayList<>(rows.size());
    for (Tracked t : rows) {
      batch.add(updateParams(t, now));
    }
    List<List<String>> stale = new ArrayList<>(1);
    return Pipeline.then(conn, () -> conn.preparedQuery(updateSql("")).executeBatch(batch)
            .onSuccess(result -> stale.add(unmatched(rows, result))),
        () -> afterUpdate(conn, rows))
        .map(v -> stale.get(0));
  }

  /**
   * The version-checked UPDATE of one row that matches only if it leaves every secondary index as it
   * is: then it writes nothing but the row, so it locks nothing but the row, as {@code SELECT ... FOR
   * UPDATE} would. Completes with whether it matched (false: stale, gone, or an indexed value changes).
   */
  public Future<Boolean> updateKeepingIndexes(SqlClient conn, Tracked row, Instant now) {
    Tuple params = updateParams(row, now);
    addIndexedValues(params, row.entity());
    return conn.preparedQuery(updateSql(indexedColumnsKept())).execute(params)
        .compose(result -> result.rowCount() == 1 ? afterUpdate(conn, List.of(row)).map(true)
            : Future.succeededFuture(false));
  }

  private String updateSql(String extraConditions) {
    return "UPDATE " + table + " SET " + updateAssignments() + ", version = version + 1, updated_at = ?"
        + " WHERE id = ? AND version = ?" + typeCondition() + extraConditions;
  }

  private Tuple updateParams(Tracked t, Instant now) {
    Tuple params = Tuple.tuple();
    updateValues(t.entity()).forEach(params::addValue);
    params.addValue(Sql.timestamp(now)).addValue(t.id()).addValue(t.expectedVersion());
    addTypeParams(params, t.type());
    return params;
  }

  protected Future<Void> afterUpdate(SqlClient conn, List<Tracked> rows) {
    return Future.succeededFuture();
  }

  /** Version-checked DELETEs; completes with the ids whose expected version no longer matched. */
  public Future<List<String>> delete(SqlClient conn, List<Tracked> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Tuple> batch = new ArrayList<>(rows.size());
    for (Tracked t : rows) {
      Tuple params = Tuple.of(t.id(), t.expectedVersion());
      addTypeParams(params, t.type());
      batch.add(params);
    }
    return conn.preparedQuery("DELETE FROM " + table + " WHERE id = ? AND version = ?" + typeCondition())
        .executeBatch(batch)
        .map(result -> unmatched(rows, result));
  }

  private static List<String> unmatched(List<Tracked> rows, RowSet<Row> result) {
    List<String> stale = new ArrayList<>();
    RowSet<Row> current = result;
    for (Tracked t : rows) {
      if (current == null || current.rowCount() != 1) {
        stale.add(t.id());
      }
      current = current == null ? null : current.next();
    }
    return stale;
  }

  // ---- shared column handling -----------------------------------------------------------------

  protected static List<Object> baseInsertValues(Entity e, Instant now) {
    List<Object> values = new ArrayList<>();
    values.add(e.id());
    values.add(e.name());
    values.add(e.description());
    values.add(Sql.json(e.metadata()));
    values.add(e.active());
    values.add(1L);
    values.add(Sql.timestamp(now));
    values.add(Sql.timestamp(now));
    return values;
  }

  protected static final String BASE_UPDATE = "name = ?, description = ?, metadata = ?, active = ?";

  protected static List<Object> baseUpdateValues(Entity e) {
    List<Object> values = new ArrayList<>();
    values.add(e.name());
    values.add(e.description());
    values.add(Sql.json(e.metadata()));
    values.add(e.active());
    return values;
  }

  protected static Entity baseEntity(String type, Row row, Map<String, Object> attributes) {
    return new Entity(row.getString("id"), type, row.getString("name"), row.getString("description"),
        Sql.jsonMap(row, "metadata"), Sql.bool(row, "active"), row.getLong("version"),
        Sql.instant(row, "created_at"), Sql.instant(row, "updated_at"), attributes);
  }

  protected static Map<String, FilterField> baseFilters() {
    Map<String, FilterField> fields = new LinkedHashMap<>();
    fields.put("id", new FilterField("id", FilterKind.STRING));
    fields.put("name", new FilterField("name", FilterKind.STRING));
    fields.put("active", new FilterField("active", FilterKind.BOOLEAN));
    fields.put("version", new FilterField("version", FilterKind.INTEGER));
    return fields;
  }
}
