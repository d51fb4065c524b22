package io.uowservice.events;

import io.uowservice.repository.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Writes domain events into the {@code outbox} table (see V2__outbox.sql). */
public final class Outbox {

  /** Rows per INSERT (and at most {@link Database#statementBytes()}): far below MySQL's 65,535 placeholders. */
  static final int ROWS_PER_STATEMENT = 500;

  private Outbox() {
  }

  /**
   * Inserts the events, in list order (so {@code seq} follows write order), as multi-row
   * statements on {@code client} — the commit's connection, so they share its transaction.
   */
  public static Future<Void> insert(SqlClient client, List<JsonObject> events, Instant at) {
    LocalDateTime created = LocalDateTime.ofInstant(at, ZoneOffset.UTC);
    long budget = Database.statementBytes();
    Future<Void> chain = Future.succeededFuture();
    StringBuilder sql = null;
    Tuple params = null;
    int rows = 0;
    long bytes = 0;
    for (JsonObject event : events) {
      String payload = event.encode();
      long size = payload.length() * 3L + 200; // UTF-8 at worst, plus the other columns
      if (sql != null && (rows >= ROWS_PER_STATEMENT || bytes + size > budget)) {
        chain = send(client, chain, sql, params);
        sql = null;
      }
      if (sql == null) {
        sql = new StringBuilder("INSERT INTO outbox (event_id, event_key, event_type, payload, created_at) VALUES ");
        params = Tuple.tuple();
        rows = 0;
        bytes = 0;
      }
      sql.append(rows == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)");
      params.addString(event.getString("event_id"))
          .addString(DomainEvents.key(event))
          .addString(event.getString("type"))
          .addString(payload)
          .addLocalDateTime(created);
      rows++;
      bytes += size;
    }
    return sql == null ? chain : send(client, chain, sql, params);
  }

  /** The next statement: on a commit's connection sent now (pipelined, io.uowservice.repository.Pipeline). */
  private static Future<Void> send(SqlClient client, Future<Void> after, StringBuilder sql, Tuple params) {
    String text = sql.toString();
    return io.uowservice.repository.Pipeline.then(client, () -> after,
        () -> client.preparedQuery(text).execute(params));
  }

  /** Rows one retention statement deletes at most. */
  public static final int PURGE_CHUNK = 5000;

  /**
   * Deletes up to {@link #PURGE_CHUNK} rows created before {@code cutoff}, sent or not (for when no
   * relay will ever publish them), oldest first; returns how many went.
   */
  public static Future<Integer> purgeOlderThan(SqlClient client, Instant cutoff) {
    return client.preparedQuery("DELETE FROM outbox WHERE created_at < ? ORDER BY created_at LIMIT " + PURGE_CHUNK)
        .execute(Tuple.of(LocalDateTime.ofInstant(cutoff, ZoneOffset.UTC)))
        .map(rows -> rows.rowCount());
  }

  /** Whether the event with {@code eventId} was written (and is still kept). */
  public static Future<Boolean> contains(SqlClient client, String eventId) {
    return client.preparedQuery("SELECT 1 FROM outbox WHERE event_id = ?").execute(Tuple.of(eventId))
        .map(rows -> rows.size() > 0);
  }

  /** Events set aside because Kafka refused them for good, oldest first. */
  public static Future<io.vertx.core.json.JsonArray> deadLetters(SqlClient client, int limit) {
    return client.preparedQuery("SELECT seq, event_id, event_key, event_type, created_at, dead_lettered_at, "
            + "dead_letter_reason FROM outbox WHERE dead_lettered_at IS NOT NULL ORDER BY seq LIMIT ?")
        .execute(Tuple.of(limit))
        .map(rows -> {
          io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
          rows.forEach(row -> items.add(new JsonObject().put("seq", row.getLong("seq"))
              .put("event_id", row.getString("event_id")).put("entity_id", row.getString("event_key"))
              .put("event_type", row.getString("event_type"))
              .put("created_at", row.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC).toString())
              .put("dead_lettered_at", row.getLocalDateTime("dead_lettered_at").toInstant(ZoneOffset.UTC).toString())
              .put("reason", row.getString("dead_letter_reason"))));
          return items;
        });
  }

  /** Puts a dead letter back in line (e.g. once the topic accepts larger records); false if there is none. */
  public static Future<Boolean> retryDeadLetter(SqlClient client, long seq) {
    return client.preparedQuery("UPDATE outbox SET dead_lettered_at = NULL, dead_letter_reason = NULL "
            + "WHERE seq = ? AND dead_lettered_at IS NOT NULL AND sent_at IS NULL")
        .execute(Tuple.of(seq)).map(rows -> rows.rowCount() > 0);
  }

  public static Future<Long> countDeadLetters(SqlClient client) {
    return client.query("SELECT COUNT(*) FROM outbox WHERE dead_lettered_at IS NOT NULL").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }
}
