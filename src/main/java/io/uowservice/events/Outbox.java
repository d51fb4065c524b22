package io.uowservice.events;

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

  /** Rows per INSERT: one round trip each, far below MySQL's 65,535 placeholders. */
  static final int ROWS_PER_STATEMENT = 500;

  private Outbox() {
  }

  /**
   * Inserts the events, in list order (so {@code seq} follows write order), as multi-row
   * statements on {@code client} — the commit's connection, so they share its transaction.
   */
  public static Future<Void> insert(SqlClient client, List<JsonObject> events, Instant at) {
    LocalDateTime created = LocalDateTime.ofInstant(at, ZoneOffset.UTC);
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < events.size(); from += ROWS_PER_STATEMENT) {
      List<JsonObject> chunk = events.subList(from, Math.min(events.size(), from + ROWS_PER_STATEMENT));
      StringBuilder sql = new StringBuilder(
          "INSERT INTO outbox (event_id, event_key, event_type, payload, created_at) VALUES ");
      Tuple params = Tuple.tuple();
      for (int i = 0; i < chunk.size(); i++) {
        JsonObject event = chunk.get(i);
        sql.append(i == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)");
        params.addString(event.getString("event_id"))
            .addString(DomainEvents.key(event))
            .addString(event.getString("type"))
            .addString(event.encode())
            .addLocalDateTime(created);
      }
      chain = chain.compose(v -> client.preparedQuery(sql.toString()).execute(params).<Void>mapEmpty());
    }
    return chain;
  }
}
