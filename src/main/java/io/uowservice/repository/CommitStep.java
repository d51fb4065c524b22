package io.uowservice.repository;

import io.uowservice.domain.FlushPlan;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Work that must land in the same transaction as a commit's writes (outbox rows, idempotency
 * records, ...). {@link #beforeWrites} runs first in the transaction (before any check or write),
 * {@link #run} after the entity writes; steps run in registration order.
 */
@FunctionalInterface
public interface CommitStep {

  /** E.g. claiming an idempotency key, so a concurrent duplicate waits here rather than half-way. */
  default Future<Void> beforeWrites(SqlConnection conn, Context commit) {
    return Future.succeededFuture();
  }


  /**
   * What a step knows about the commit it joins; {@code events} are the commit's domain events,
   * built once so every consumer of them sees the same event ids.
   */
  record Context(String unitOfWorkId, String actor, FlushPlan plan, Instant at, List<JsonObject> events) {
  }

  Future<Void> run(SqlConnection conn, Context commit);

  /**
   * Whether {@link #run} must wait for the writes' answers (it reports on them); otherwise it is
   * sent with them ({@link Pipeline}).
   */
  default boolean afterWritesAnswered() {
    return false;
  }
}
