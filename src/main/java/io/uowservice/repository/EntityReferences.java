package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.uowservice.domain.Reference;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The links runtime types declare, one row per (referrer, attribute) in {@code entity_references}.
 * Its foreign key to {@code entity_ids} keeps a referenced entity from being deleted even by a
 * commit that raced the check; the check itself names who still points at it.
 */
final class EntityReferences {

  private static final String PREFIX = "attributes.";
  private static final String RUNTIME_REFERRERS = "SELECT from_type, from_id, field, target_id FROM entity_references "
      + "WHERE target_id IN (%s)";
  /** Built-in foreign keys, read the same way so a refused delete names its referrers too. */
  private static final Map<String, String> BUILT_IN_REFERRERS = Map.of(
      "user", "SELECT 'order', id, 'user_id', user_id FROM orders WHERE user_id IN (%s)",
      "product", "SELECT 'order', order_id, CONCAT('items[', line_no, '].product_id'), product_id FROM order_items "
          + "WHERE product_id IN (%s)",
      "order", "SELECT 'payment', id, 'order_id', order_id FROM payments WHERE order_id IN (%s)");

  private EntityReferences() {
  }

  /** Records the links of {@code rows} (new or dirty), replacing what a dirty one had. */
  static Future<Void> write(SqlClient conn, String type, List<Tracked> rows, Map<String, List<Reference>> links,
      boolean replace) {
    List<String> ids = rows.stream().map(Tracked::id).filter(links::containsKey).toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object[]> values = new ArrayList<>();
    for (String id : ids) {
      for (Reference ref : links.get(id)) {
        String field = ref.field().startsWith(PREFIX) ? ref.field().substring(PREFIX.length()) : ref.field();
        values.add(new Object[] {id, field, type, ref.targetId()});
      }
    }
    return Pipeline.then(conn, () -> replace ? forget(conn, ids) : Future.<Void>succeededFuture(), () -> Pipeline.each(
        conn, Sql.chunks(values, EntityTable.ROWS_PER_INSERT), chunk -> {
          Tuple params = Tuple.tuple();
          chunk.forEach(row -> {
            for (Object value : row) {
              params.addValue(value);
            }
          });
          String sql = "INSERT INTO entity_references (from_id, field, from_type, target_id) VALUES "
              + Sql.rowPlaceholders(chunk.size(), 4);
          return conn.preparedQuery(sql).execute(params);
        }));
  }

  /**
   * Before {@code rows} are deleted: drops their own links, then fails with 409 naming every
   * entity that still references one of them. Referrers deleted by the same unit are gone by now
   * (deletes run referrers first).
   */
  static Future<Void> releaseForDelete(SqlClient conn, String type, List<Tracked> rows) {
    List<String> ids = rows.stream().map(Tracked::id).toList();
    List<String> referrers = new ArrayList<>();
    List<String> queries = new ArrayList<>(List.of(RUNTIME_REFERRERS));
    if (BUILT_IN_REFERRERS.containsKey(type)) {
      queries.add(BUILT_IN_REFERRERS.get(type));
    }
    return Pipeline.then(conn, () -> forget(conn, ids), () -> Pipeline.each(conn, queries, query -> Pipeline.each(
        conn, Sql.chunks(ids, EntityTable.IDS_PER_QUERY), chunk -> {
          Tuple params = Tuple.tuple();
          chunk.forEach(params::addValue);
          String sql = String.format(query, Sql.placeholders(chunk.size())) + " LIMIT 21";
          return conn.preparedQuery(sql).execute(params).onSuccess(found -> found.forEach(row -> referrers.add(
              row.getString(0) + " " + row.getString(1) + " " + row.getString(2) + " -> " + row.getString(3))));
        }))).compose(v -> referrers.isEmpty() ? Future.succeededFuture()
        : Future.failedFuture(new UowException.Conflict("cannot delete: still referenced by "
            + String.join(", ", referrers.subList(0, Math.min(20, referrers.size())))
            + (referrers.size() > 20 ? " and more" : "")
            + " (delete those in the same unit, or change them first)")));
  }

  private static Future<Void> forget(SqlClient conn, List<String> ids) {
    return Pipeline.each(conn, Sql.chunks(ids, EntityTable.IDS_PER_QUERY), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(params::addValue);
      String sql = "DELETE FROM entity_references WHERE from_id IN (" + Sql.placeholders(chunk.size()) + ")";
      return conn.preparedQuery(sql).execute(params).mapEmpty();
    });
  }
}
