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

  static Future<String> defaultUnit(SqlClient db, String subject) {
    return db.preparedQuery("SELECT unit_id FROM uow_default_units WHERE subject_hash = ?")
        .execute(Tuple.of(hash(subject))).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /** The subject's default unit after claiming it for {@code unitId}: {@code unitId}, or the one claimed first. */
  static Future<String> claimDefault(SqlClient db, String subject, String unitId, String nodeTag) {
    return db.preparedQuery("INSERT IGNORE INTO uow_default_units (subject_hash, unit_id, node_tag, created_at) "
        + "VALUES (?, ?, ?, NOW(6))").execute(Tuple.of(hash(subject), unitId, nodeTag))
        .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture(unitId)
            : defaultUnit(db, subject).map(winner -> winner == null ? unitId : winner));
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
