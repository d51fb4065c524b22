package io.uowservice.repository;

import io.uowservice.domain.FlushPlan;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;

/**
 * Work that must land in the same transaction as a commit's writes (outbox rows, idempotency
 * records, ...). Steps run after the entity writes, in registration order.
 */
@FunctionalInterface
public interface CommitStep {

  /** What a step knows about the commit it joins. */
  record Context(String unitOfWorkId, String actor, FlushPlan plan, Instant at) {
  }

  Future<Void> run(SqlConnection conn, Context commit);
}
