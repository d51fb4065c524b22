package io.uowservice.cluster;

import io.uowservice.domain.UowException;
import io.uowservice.repository.CommitStep;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Every commit holds a shared lock on its node's registry row and lands only while no other node
 * has fenced it ({@code left_at}). A survivor that fences a departed node waits for that node's
 * commits in flight to end; after it, none of them can land — so the survivor can read an
 * Idempotency-Key's absence as "not committed" even if the departed node was only paused.
 */
public final class NodeFence implements CommitStep {

  private final String tag;

  public NodeFence(String tag) {
    this.tag = tag;
  }

  @Override
  public Future<Void> run(SqlConnection conn, Context commit) {
    return conn.preparedQuery("SELECT 1 FROM uow_nodes WHERE tag = ? AND left_at IS NULL LOCK IN SHARE MODE")
        .execute(Tuple.of(tag)).compose(rows -> rows.size() == 1 ? Future.succeededFuture()
            : Future.failedFuture(new UowException.Gone("this node (" + tag + ") was dropped from the cluster: its "
                + "units are lost and nothing of this commit was written; start a new unit on another node")));
  }
}
