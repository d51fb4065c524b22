package io.uowservice.cluster;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SQL of the node registry: {@code uow_nodes} (one row per node start, its last sign of life)
 * and {@code uow_default_units}. Times are the database's, so the nodes' clocks never disagree.
 */
final class NodeRows {

  private NodeRows() {
  }

  /** This node is alive: its row is written, or its last sign of life moved on. */
  static Future<Void> alive(SqlClient db, String tag, String nodeId) {
    return db.preparedQuery("INSERT INTO uow_nodes (tag, node_id, started_at, seen_at) VALUES (?, ?, NOW(6), NOW(6)) "
        + "ON DUPLICATE KEY UPDATE seen_at = NOW(6)").execute(Tuple.of(tag, nodeId)).mapEmpty();
  }

  static Future<Boolean> known(SqlClient db, String tag) {
    return db.preparedQuery("SELECT 1 FROM uow_nodes WHERE tag = ?").execute(Tuple.of(tag))
        .map(rows -> rows.size() > 0);
  }

  /** Forgets the nodes silent for {@code seconds} and the default units they held; completes with the nodes forgotten. */
  static Future<Integer> purge(SqlClient db, long seconds) {
    return db.preparedQuery("DELETE FROM uow_nodes WHERE seen_at < NOW(6) - INTERVAL ? SECOND")
        .execute(Tuple.of(seconds)).compose(nodes -> db.query("DELETE FROM uow_default_units "
            + "WHERE node_tag NOT IN (SELECT tag FROM uow_nodes)").execute().map(units -> nodes.rowCount()));
  }

  /** The subject's default unit as {@code [unit id, lost]}, or null. */
  static Future<io.uowservice.bus.NodeDirectory.DefaultUnit> defaultUnit(SqlClient db, String subject) {
    return db.preparedQuery("SELECT unit_id, lost_at IS NOT NULL FROM uow_default_units WHERE subject_hash = ?")
        .execute(Tuple.of(hash(subject))).map(rows -> rows.size() == 0 ? null : new io.uowservice.bus.NodeDirectory
            .DefaultUnit(rows.iterator().next().getString(0), rows.iterator().next().getInteger(1) == 1));
  }

  /**
   * The subject's default unit after claiming it for {@code unitId}: {@code unitId}, or the one
   * claimed first — read back, never inferred from affected rows (the client reports rows found, so
   * a duplicate can count as one); a claim deleted meanwhile is claimed again.
   */
  static Future<String> claimDefault(SqlClient db, String subject, String unitId, String nodeTag, int attempts) {
    return db.preparedQuery("INSERT IGNORE INTO uow_default_units (subject_hash, unit_id, node_tag, created_at) "
        + "VALUES (?, ?, ?, NOW(6))").execute(Tuple.of(hash(subject), unitId, nodeTag))
        .compose(inserted -> defaultUnit(db, subject))
        .compose(winner -> winner != null ? Future.succeededFuture(winner.unitId())
            : attempts > 1 ? claimDefault(db, subject, unitId, nodeTag, attempts - 1)
            : Future.failedFuture(new IllegalStateException("the default unit's claim kept disappearing")));
  }

  static Future<Void> markLost(SqlClient db, String subject, String unitId) {
    return db.preparedQuery("UPDATE uow_default_units SET lost_at = COALESCE(lost_at, NOW(6)) "
        + "WHERE subject_hash = ? AND unit_id = ?").execute(Tuple.of(hash(subject), unitId)).mapEmpty();
  }

  /** Fences node {@code tag}: waits for its commits in flight; none of its commits lands after this. */
  static Future<Void> fence(SqlClient db, String tag) {
    return db.preparedQuery("UPDATE uow_nodes SET left_at = COALESCE(left_at, NOW(6)) WHERE tag = ?")
        .execute(Tuple.of(tag)).mapEmpty();
  }

  static Future<Void> forgetDefault(SqlClient db, String subject, String unitId) {
    return db.preparedQuery("DELETE FROM uow_default_units WHERE subject_hash = ? AND unit_id = ?")
        .execute(Tuple.of(hash(subject), unitId)).mapEmpty();
  }

  /** Subjects are any length: the key is their SHA-256. */
  private static String hash(String subject) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(subject.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
