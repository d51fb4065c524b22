package io.uowservice.events;

import io.uowservice.async.Futures;
import io.uowservice.config.AppConfig;
import io.uowservice.repository.Purges;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox rows one relay works on: claimed under a lease ({@code FOR UPDATE SKIP LOCKED}, so
 * relays on every node share the work), then marked sent, released, or dead-lettered; sent rows
 * purged past their retention. The SQL of {@link OutboxRelayVerticle}.
 */
final class OutboxLeases {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);
  private static final int PURGE_CHUNK = 1000;

  private final Pool pool;
  private final AppConfig.MessageQueue mq;
  private final String relayId;

  OutboxLeases(Pool pool, AppConfig.MessageQueue mq, String relayId) {
    this.pool = pool;
    this.mq = mq;
    this.relayId = relayId;
  }

  /**
   * Pending rows in seq order, several of one entity at once, but none behind an earlier unsent row
   * of its entity that another relay holds or that is dead-lettered (those hold their entity back).
   */
  private static final String CLAIM = "SELECT o.seq, o.event_key, o.payload FROM outbox o "
      + "WHERE o.sent_at IS NULL AND o.dead_lettered_at IS NULL "
      + "AND (o.claimed_until IS NULL OR o.claimed_until < UTC_TIMESTAMP(6)) "
      + "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.event_key = o.event_key AND p.sent_at IS NULL "
      + "AND p.seq < o.seq AND (p.dead_lettered_at IS NOT NULL OR p.claimed_until >= UTC_TIMESTAMP(6))) "
      + "ORDER BY o.seq LIMIT ? FOR UPDATE SKIP LOCKED";

  record Pending(long seq, String key, String payload) {
  }

  /** Claims up to relay_batch_size pending rows for this relay, in seq order. */
  Future<List<Pending>> claim() {
    long leaseMicros = mq.relayLease().toNanos() / 1000;
    return pool.withConnection(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").execute()
        // READ COMMITTED: no gap locks, so commits inserting new outbox rows never wait on a claim
        .compose(v -> conn.begin())
        .compose(tx -> selectAndStamp(conn, leaseMicros)
            .compose(rows -> tx.commit().map(rows))
            .recover(err -> tx.rollback().transform(x -> Future.<List<Pending>>failedFuture(err)))));
  }

  private Future<List<Pending>> selectAndStamp(SqlConnection conn, long leaseMicros) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(mq.relayBatchSize())).compose(rows -> {
      List<Pending> candidates = new ArrayList<>(rows.size());
      for (Row row : rows) {
        candidates.add(new Pending(row.getLong(0), row.getString(1), row.getString(2)));
      }
      return candidates.isEmpty() ? Future.succeededFuture(candidates) : inOrder(conn, candidates);
    }).compose(batch -> {
      if (batch.isEmpty()) {
        return Future.succeededFuture(batch);
      }
      Tuple params = Tuple.of(relayId, leaseMicros);
      String sql = "UPDATE outbox SET claimed_by = ?, claimed_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND), "
          + "attempts = attempts + 1 WHERE seq IN (" + placeholders(batch.size(), params, batch) + ")";
      return conn.preparedQuery(sql).execute(params).map(batch);
    });
  }

  /**
   * Keeps of the candidates, per entity, only the run that starts at the entity's first unsent row:
   * a row skipped because a concurrent claim holds it (SKIP LOCKED) must not be overtaken by its
   * successors.
   */
  private static Future<List<Pending>> inOrder(SqlConnection conn, List<Pending> candidates) {
    Map<String, List<Long>> byKey = new java.util.LinkedHashMap<>();
    long last = 0;
    for (Pending p : candidates) {
      byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.seq());
      last = Math.max(last, p.seq());
    }
    Tuple params = Tuple.tuple();
    StringBuilder in = new StringBuilder();
    for (String key : byKey.keySet()) {
      in.append(in.length() == 0 ? "?" : ", ?");
      params.addString(key);
    }
    params.addLong(last);
    return conn.preparedQuery("SELECT event_key, seq FROM outbox WHERE sent_at IS NULL AND event_key IN (" + in
            + ") AND seq <= ? ORDER BY seq").execute(params)
        .map(rows -> {
          Map<String, List<Long>> pending = new HashMap<>();
          rows.forEach(row -> pending.computeIfAbsent(row.getString(0), k -> new ArrayList<>()).add(row.getLong(1)));
          java.util.Set<Long> keep = new java.util.HashSet<>();
          byKey.forEach((key, seqs) -> {
            List<Long> all = pending.getOrDefault(key, List.of());
            for (int i = 0; i < seqs.size() && i < all.size() && seqs.get(i).equals(all.get(i)); i++) {
              keep.add(seqs.get(i));
            }
          });
          return candidates.stream().filter(p -> keep.contains(p.seq())).toList();
        });
  }

  /** Sets aside events Kafka refuses for good: counted, logged, listable and retryable by an admin. */
  Future<Void> deadLetter(List<Pending> rows, Map<Long, String> reasons) {
    return Futures.inOrder(rows, p -> {
      String reason = reasons.getOrDefault(p.seq(), "refused");
      LOG.warn("outbox relay {}: event {} of entity {} refused by Kafka for good ({}); dead-lettered, its entity's "
          + "later events wait for an admin (POST /api/v1/outbox/dead-letters/{}/retry)", relayId, p.seq(), p.key(),
          reason, p.seq());
      return pool.preparedQuery("UPDATE outbox SET dead_lettered_at = UTC_TIMESTAMP(6), "
              + "dead_letter_reason = ?, claimed_by = NULL, claimed_until = NULL WHERE seq = ? AND sent_at IS NULL")
          .execute(Tuple.of(reason.length() > 1000 ? reason.substring(0, 1000) : reason, p.seq())).mapEmpty();
    });
  }

  Future<Void> markSent(List<Pending> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    // no claimed_by condition: Kafka has the record, whoever holds the lease now
    Tuple params = Tuple.tuple();
    String sql = "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), claimed_by = NULL, claimed_until = NULL WHERE seq IN ("
        + placeholders(rows.size(), params, rows) + ")";
    return pool.preparedQuery(sql).execute(params).mapEmpty();
  }

  /** Failed rows become claimable at once (after the backoff) instead of at the end of the lease. */
  Future<Void> release(List<Pending> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple params = Tuple.tuple();
    String in = placeholders(rows.size(), params, rows);
    params.addString(relayId);
    return pool.preparedQuery("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq IN (" + in
        + ") AND claimed_by = ? AND sent_at IS NULL").execute(params).mapEmpty();
  }

  private static String placeholders(int n, Tuple params, List<Pending> rows) {
    StringBuilder sb = new StringBuilder(n * 3);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
      params.addLong(rows.get(i).seq());
    }
    return sb.toString();
  }

  Future<Long> purgeSent(io.vertx.core.Vertx vertx, java.util.function.BooleanSupplier stopped) {
    long retentionMicros = mq.outboxRetention().toNanos() / 1000;
    return Purges.untilDrained(vertx, () -> pool.preparedQuery("DELETE FROM outbox WHERE sent_at IS NOT NULL "
            + "AND sent_at < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND) LIMIT " + PURGE_CHUNK)
        .execute(Tuple.of(retentionMicros)).map(rows -> rows.rowCount()), PURGE_CHUNK, stopped);
  }
}
