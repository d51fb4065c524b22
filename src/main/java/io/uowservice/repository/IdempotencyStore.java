package io.uowservice.repository;

import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Idempotency-Key records, scoped per subject. The key is claimed as the FIRST statement of the
 * commit's transaction, so a concurrent request with the same key blocks on that row until the
 * first one ends and then finds it (replay) — never two executions, on one node or many. Only
 * successful outcomes are stored: a failed request wrote nothing and may be retried as it is.
 */
public final class IdempotencyStore {

  /**
   * A stored outcome: the status and body the first request got. {@code requestHash} fingerprints
   * what it committed, {@code scopeHash} the request it came with (null for records written before
   * scopes existed).
   */
  public record Outcome(String requestHash, String scopeHash, int status, JsonObject response) {
  }

  /** A commit lost the race for its key to a concurrent request that committed first. */
  public static final class KeyTaken extends RuntimeException {
    public KeyTaken() {
      super("idempotency key already used", null, false, false);
    }
  }

  private IdempotencyStore() {
  }

  /** The stored outcome for a key; a record past its retention is deleted here and counts as absent. */
  public static Future<Optional<Outcome>> find(SqlClient client, String subject, String key, Instant now) {
    return client.preparedQuery("SELECT request_hash, scope_hash, status, response, expires_at FROM idempotency_keys "
            + "WHERE subject = ? AND idem_key = ?")
        .execute(Tuple.of(subject, key))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<Outcome>empty());
          }
          var row = rows.iterator().next();
          if (!Sql.instant(row, "expires_at").isAfter(now)) {
            return client.preparedQuery("DELETE FROM idempotency_keys WHERE subject = ? AND idem_key = ? "
                    + "AND expires_at <= ?").execute(Tuple.of(subject, key, Sql.timestamp(now)))
                .map(v -> Optional.<Outcome>empty());
          }
          Object response = row.getValue("response");
          return Future.succeededFuture(Optional.of(new Outcome(row.getString("request_hash"),
              row.getString("scope_hash"), row.getInteger("status"), new JsonObject(response.toString()))));
        });
  }

  /** The commit step that claims the key first and records the response last, in the same transaction. */
  public static CommitStep record(String subject, String key, String requestHash, String scopeHash, int status,
      Supplier<JsonObject> response, Duration retention) {
    return new CommitStep() {
      @Override
      public Future<Void> beforeWrites(SqlConnection conn, Context commit) {
        Instant now = commit.at();
        // a plain INSERT: a concurrent holder of the key makes us wait for its outcome, then fail on the key
        return conn.preparedQuery("INSERT INTO idempotency_keys "
                + "(subject, idem_key, request_hash, scope_hash, status, response, created_at, expires_at) "
                + "VALUES (?, ?, ?, ?, 0, '{}', ?, ?)")
            .execute(Tuple.of(subject, key, requestHash, scopeHash, Sql.timestamp(now),
                Sql.timestamp(now.plus(retention))))
            .recover(err -> Future.failedFuture(!(err instanceof MySQLException e) ? err
                : e.getErrorCode() == 1062 ? new KeyTaken()
                // the holder of the key is still running (longer than a lock wait): not a collision to retry
                : e.getErrorCode() == 1205 ? new UowException.InProgress("a request with the same Idempotency-Key "
                    + "is still in progress; retry later to get its outcome")
                : err))
            .mapEmpty();
      }

      // the stored response is the one the client gets, and it says how long the writes took
      @Override
      public boolean afterWritesAnswered() {
        return true;
      }

      @Override
      public Future<Void> run(SqlConnection conn, Context commit) {
        return conn.preparedQuery("UPDATE idempotency_keys SET status = ?, response = ? WHERE subject = ? AND idem_key = ?")
            .execute(Tuple.of(status, response.get().encode(), subject, key))
            .mapEmpty();
      }
    };
  }

  /** Records one purge statement deletes at most (short statements, short locks). */
  public static final int PURGE_CHUNK = 5000;

  /** Drops up to {@link #PURGE_CHUNK} records past their retention; returns how many went. */
  public static Future<Integer> purge(SqlClient client, Instant now) {
    return client.preparedQuery("DELETE FROM idempotency_keys WHERE expires_at <= ? LIMIT " + PURGE_CHUNK)
        .execute(Tuple.of(Sql.timestamp(now)))
        .map(rows -> rows.rowCount());
  }
}
