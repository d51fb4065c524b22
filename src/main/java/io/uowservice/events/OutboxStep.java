package io.uowservice.events;

import io.uowservice.repository.CommitStep;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Writes the commit's domain events into the outbox inside the commit's transaction: the data and
 * its events become durable together or not at all, whether or not Kafka is enabled or reachable.
 */
public final class OutboxStep implements CommitStep {

  @Override
  public Future<Void> run(SqlConnection conn, Context commit) {
    return commit.events().isEmpty() ? Future.succeededFuture() : Outbox.insert(conn, commit.events(), commit.at());
  }
}
