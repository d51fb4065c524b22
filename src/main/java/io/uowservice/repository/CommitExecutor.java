package io.uowservice.repository;

import io.uowservice.domain.FieldError;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UowException;
import io.uowservice.domain.VersionConflict;
import io.vertx.core.Future;
import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@link FlushPlan} in ONE MySQL transaction: lock and version-check every dirty/deleted row
 * (all conflicts reported at once), confirm every outside reference, write in plan order with each
 * type's own SQL, then the extra {@link CommitStep}s. Any failure rolls everything back.
 */
public final class CommitExecutor {

  private static final Pattern DUPLICATE = Pattern.compile("Duplicate entry '(.*)' for key '(?:[^.']*\\.)?([^']*)'");

  private final Pool pool;
  private final List<CommitStep> steps;

  public CommitExecutor(Pool pool, List<CommitStep> steps) {
    this.pool = pool;
    this.steps = List.copyOf(steps);
  }

  public Future<Void> execute(CommitStep.Context commit) {
    return execute(commit, List.of(), done -> { });
  }

  /**
   * As {@link #execute(CommitStep.Context)}, with steps that belong to this commit only (its
   * idempotency record), telling {@code written} the rows written so far after each write batch
   * (not per row: a 10,000-row unit must not cost 10,000 callbacks). Rows written are not
   * committed yet: the transaction may still roll back.
   */
  public Future<Void> execute(CommitStep.Context commit, List<CommitStep> perCommit, IntConsumer written) {
    FlushPlan plan = commit.plan();
    List<CommitStep> all = new ArrayList<>(perCommit);
    all.addAll(steps);
    if (plan.isEmpty() && all.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> runSteps(conn, commit, all, true)
            .compose(v -> checkVersions(conn, plan))
            .compose(v -> checkReferences(conn, plan))
            .compose(v -> write(conn, commit, written))
            .compose(v -> runSteps(conn, commit, all, false)))
        .recover(err -> Future.failedFuture(translate(err)));
  }

  private Future<Void> checkVersions(SqlConnection conn, FlushPlan plan) {
    List<VersionConflict> conflicts = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, Map<String, Long>> byType : plan.expectedVersions().entrySet()) {
      String type = byType.getKey();
      Map<String, Long> expected = byType.getValue();
      chain = chain.compose(v -> Tables.of(type).lockVersions(conn, type, expected.keySet()).map(actual -> {
        expected.forEach((id, version) -> {
          Long stored = actual.get(id);
          if (stored == null || stored.longValue() != version) {
            conflicts.add(new VersionConflict(type, id, version, stored));
          }
        });
        return null;
      }));
    }
    return chain.compose(v -> conflicts.isEmpty() ? Future.succeededFuture()
        : Future.failedFuture(new UowException.StaleVersions(conflicts)));
  }

  private Future<Void> checkReferences(SqlConnection conn, FlushPlan plan) {
    Map<String, Set<String>> wanted = plan.referencedIds();
    List<FieldError> missing = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> byType : wanted.entrySet()) {
      String type = byType.getKey();
      chain = chain.compose(v -> Tables.of(type).existing(conn, type, byType.getValue()).map(found -> {
        for (FlushPlan.PendingReference ref : plan.references()) {
          if (ref.reference().targetType().equals(type) && !found.contains(ref.reference().targetId())) {
            missing.add(new FieldError(ref.fromType() + " " + ref.fromId() + " " + ref.reference().field(),
                "references " + type + " " + ref.reference().targetId() + ", which does not exist"));
          }
        }
        return null;
      }));
    }
    return chain.compose(v -> missing.isEmpty() ? Future.succeededFuture()
        : Future.failedFuture(new UowException.Invalid("the unit of work references entities that do not exist",
            missing)));
  }

  private Future<Void> write(SqlConnection conn, CommitStep.Context commit, IntConsumer written) {
    Future<Void> chain = Future.succeededFuture();
    int done = 0;
    for (FlushPlan.WriteBatch batch : commit.plan().writes()) {
      EntityTable table = Tables.of(batch.type());
      int doneAfter = done += batch.entities().size();
      chain = chain.compose(v -> switch (batch.operation()) {
        case INSERT -> EntityIds.register(conn, batch.type(), batch.entities())
            .compose(x -> table.insert(conn, batch.entities().stream().map(Tracked::entity).toList(), commit.at()));
        case UPDATE -> table.update(conn, batch.entities(), commit.at()).compose(stale -> staleCheck(batch, stale));
        case DELETE -> table.delete(conn, batch.entities()).compose(stale -> staleCheck(batch, stale))
            .compose(x -> EntityIds.forget(conn, batch.entities()));
      }).onSuccess(v -> written.accept(doneAfter));
    }
    return chain;
  }

  /** Rows were locked and checked first, so this only fires if something bypassed the locks. */
  private static Future<Void> staleCheck(FlushPlan.WriteBatch batch, List<String> staleIds) {
    if (staleIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<VersionConflict> conflicts = new ArrayList<>();
    for (Tracked t : batch.entities()) {
      if (staleIds.contains(t.id())) {
        conflicts.add(new VersionConflict(t.type(), t.id(), t.expectedVersion(), null));
      }
    }
    return Future.failedFuture(new UowException.StaleVersions(conflicts));
  }

  private static Future<Void> runSteps(SqlConnection conn, CommitStep.Context commit, List<CommitStep> steps,
      boolean before) {
    Future<Void> chain = Future.succeededFuture();
    for (CommitStep step : steps) {
      chain = chain.compose(v -> before ? step.beforeWrites(conn, commit) : step.run(conn, commit));
    }
    return chain;
  }

  /** Turns constraint violations the checks could not foresee (races, unique values) into client errors. */
  static Throwable translate(Throwable err) {
    if (err instanceof UowException) {
      return err;
    }
    if (err instanceof MySQLBatchException batch && !batch.getIterationError().isEmpty()) {
      // a batch reports each failed row; the first one says why
      err = batch.getIterationError().values().iterator().next();
    }
    if (!(err instanceof MySQLException e)) {
      return err;
    }
    return switch (e.getErrorCode()) {
      case 1062 -> duplicate(e.getMessage());
      case 1451 -> new UowException.Conflict(
          "cannot delete: the entity is still referenced by another entity (delete or change that one first)");
      case 1452 -> new UowException.Invalid("the unit of work references an entity that does not exist");
      case 1213, 1205 -> new UowException.Conflict(
          "the commit collided with a concurrent commit on the same entities; retry it");
      case 1406 -> new UowException.Invalid("a value is longer than its column allows: " + e.getMessage());
      default -> err;
    };
  }

  private static UowException duplicate(String message) {
    Matcher m = DUPLICATE.matcher(message == null ? "" : message);
    if (!m.find()) {
      return new UowException.Conflict("a unique value is already taken");
    }
    String value = m.group(1);
    return switch (m.group(2)) {
      case "PRIMARY" -> new UowException.Conflict("an entity with id " + value + " already exists");
      case "uq_products_sku" -> new UowException.Conflict("a product with sku " + value + " already exists");
      case "uq_users_email" -> new UowException.Conflict("a user with email " + value + " already exists");
      default -> new UowException.Conflict("value " + value + " is already taken (" + m.group(2) + ")");
    };
  }
}
