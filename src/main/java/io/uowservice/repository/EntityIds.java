package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.uowservice.domain.Tracked;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;

/** The cross-type id registry: ids are unique over all types, and an id alone finds its type. */
public final class EntityIds {

  private EntityIds() {
  }

  /** Registers the ids of {@code entities} (of any types) with their types. */
  static Future<Void> register(SqlClient conn, List<Tracked> entities) {
    return Pipeline.each(conn, Sql.chunks(entities, EntityTable.ROWS_PER_INSERT), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(t -> params.addValue(t.id()).addValue(t.type()));
      String sql = "INSERT INTO entity_ids (id, entity_type) VALUES " + Sql.rowPlaceholders(chunk.size(), 2);
      return conn.preparedQuery(sql).execute(params).mapEmpty();
    });
  }

  static Future<Void> forget(SqlClient conn, List<Tracked> entities) {
    return Pipeline.each(conn, Sql.chunks(entities, EntityTable.IDS_PER_QUERY), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(t -> params.addValue(t.id()));
      String sql = "DELETE FROM entity_ids WHERE id IN (" + Sql.placeholders(chunk.size()) + ")";
      return conn.preparedQuery(sql).execute(params).mapEmpty();
    });
  }

  /** id → type for those of {@code ids} that exist. */
  public static Future<java.util.Map<String, String>> typesOf(SqlClient client, java.util.Collection<String> ids) {
    java.util.Map<String, String> types = new java.util.HashMap<>();
    return Futures.inOrder(Sql.chunks(new java.util.TreeSet<>(ids), EntityTable.IDS_PER_QUERY), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(params::addValue);
      String sql = "SELECT id, entity_type FROM entity_ids WHERE id IN (" + Sql.placeholders(chunk.size()) + ")";
      return client.preparedQuery(sql).execute(params).map(rows -> {
        rows.forEach(row -> types.put(row.getString(0), row.getString(1)));
        return null;
      });
    }).map(types);
  }

  public static Future<Optional<String>> typeOf(SqlClient client, String id) {
    return client.preparedQuery("SELECT entity_type FROM entity_ids WHERE id = ?").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }
}
