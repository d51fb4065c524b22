package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.Reference;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UowException;
import io.uowservice.domain.VersionConflict;
import io.uowservice.metrics.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.TransactionRollbackException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

  private final Vertx vertx;
  private final Pool pool;
  private final List<CommitStep> steps;
  private final Retries retries;

  /**
   * How a commit that lost a deadlock (1213) or a lock wait (1205) is retried: up to {@code
   * attempts} more times, each after a random pause of up to {@code baseBackoff · 2^n} (capped at
   * {@code maxBackoff}), and never past {@code deadline} after the commit started.
   */
  public record Retries(int attempts, Duration baseBackoff, Duration maxBackoff, Duration deadline) {
  }

  /** Commits on {@link Database#commitPool} (its sessions have autocommit off, which pipelining needs). */
  public CommitExecutor(Vertx vertx, io.uowservice.config.AppConfig.Mysql mysql, List<CommitStep> steps,
      Retries retries) {
    this.vertx = vertx;
    this.pool = Database.commitPool(vertx, mysql);
    this.steps = List.copyOf(steps);
    this.retries = retries;
  }

  public Future<Void> execute(CommitStep.Context commit) {
    return execute(commit, List.of(), done -> { });
  }

  /**
   * As {@link #execute(CommitStep.Context)}, with steps that belong to this commit only (its
   * idempotency record), telling {@code written} the rows written so far after each write batch
   * (not per row: a 10,000-row unit must not cost 10,000 callbacks). Rows written are not
   * committed yet: the transaction may still roll back.
   *
   * <p>Fails with a {@link UowException} the client can act on, {@link UowException.Unavailable}
   * when nothing was written and the commit may be retried as it is, or {@link
   * UowException.OutcomeUnknown} when COMMIT was sent and no answer came.
   */
  public Future<Void> execute(CommitStep.Context commit, List<CommitStep> perCommit, IntConsumer written) {
    FlushPlan plan = commit.plan();
    List<CommitStep> all = new ArrayList<>(perCommit);
    all.addAll(steps);
    if (plan.isEmpty() && all.isEmpty()) {
      return Future.succeededFuture();
    }
    long deadline = System.nanoTime() + retries.deadline().toNanos();
    return attempt(commit, all, written, deadline, 0);
  }

  private Future<Void> attempt(CommitStep.Context commit, List<CommitStep> all, IntConsumer written, long deadline,
      int retry) {
    Tracked foldable = checkedByItsUpdate(commit.plan());
    FoldedUpdate fold = foldable == null ? null : new FoldedUpdate(foldable);
    return transaction(conn -> runSteps(conn, commit, all, true)
            .compose(v -> lockAndCheck(conn, commit, fold))
            // every write and the steps after them sent at once (Pipeline): one round trip, not one each
            .compose(v -> all.stream().anyMatch(CommitStep::afterWritesAnswered)
                ? write(conn, commit, fold, written).compose(x -> runSteps(conn, commit, all, false))
                : Pipeline.firstFailureInOrder(List.of(write(conn, commit, fold, written),
                    runSteps(conn, commit, all, false))))
            .compose(v -> System.nanoTime() - deadline < 0 ? Future.succeededFuture()
                : Future.failedFuture(new UowException.Unavailable("the commit did not finish within "
                    + retries.deadline().toSeconds() + " s and was rolled back; nothing was written, retry it"))))
        .recover(err -> {
          if (isLockFailure(err) && retry < retries.attempts()) {
            long pause = backoff(retry);
            if (System.nanoTime() + pause * 1_000_000 - deadline < 0) {
              Telemetry.commitRetry(errorCode(err) == 1213 ? "deadlock" : "lock_wait_timeout");
              return vertx.timer(pause).compose(t -> attempt(commit, all, written, deadline, retry + 1));
            }
          }
          return Future.failedFuture(translate(err));
        });
  }

  /**
   * BEGIN, the work, COMMIT on one connection. A failure before COMMIT rolls back (nothing written);
   * a COMMIT the server refused rolled back too; a COMMIT whose answer never came (the connection
   * lost) leaves the outcome unknown, and says so rather than guess.
   */
  private Future<Void> transaction(java.util.function.Function<SqlConnection, Future<Void>> work) {
    Future<SqlConnection> connection = pool.getConnection().recover(err -> Future.failedFuture(
        new UowException.Unavailable("no database connection could be had for the commit (" + err.getMessage()
            + "); nothing was written, retry it")));
    // a statement the database never answers ends when its connection reads nothing for too long
    // (Database.networkOptions): before COMMIT that is a rollback, during COMMIT an unknown outcome
    return connection.compose(conn -> {
      boolean[] committing = {false};
      // a statement in flight when the connection closes may never be answered, not even with a
      // failure (seen with Vert.x 5.0.10): the close itself ends the commit, before or during COMMIT
      Promise<Void> outcome = Promise.promise();
      conn.closeHandler(v -> outcome.tryFail(committing[0] ? new UowException.OutcomeUnknown("the database "
          + "connection closed during COMMIT; it may or may not have been written: read the unit's summary, or retry "
          + "with the same Idempotency-Key") : cutBeforeCommit()));
      // sent with BEGIN: the writes are pipelined, and a statement sent after one that rolled the
      // transaction back (a deadlock) must open a new transaction, which ROLLBACK discards, rather than
      // commit on its own (the commit pool's sessions keep it off; see Database.commitPool)
      Future<?> autocommitOff = conn.query("SET autocommit = 0").execute();
      conn.begin()
          .compose(tx -> autocommitOff.<Void>transform(off -> off.succeeded() ? work.apply(conn)
              : Future.failedFuture(off.cause())).transform(done -> {
            if (done.failed()) {
              return tx.rollback().transform(r -> Future.<Void>failedFuture(done.cause()));
            }
            committing[0] = true;
            return tx.commit().recover(err -> Future.failedFuture(
                err instanceof MySQLException || err instanceof TransactionRollbackException ? err
                    : new UowException.OutcomeUnknown("the database did not confirm the commit (" + err.getMessage()
                        + "); it may or may not have been written: read the unit's summary, or retry with the same "
                        + "Idempotency-Key")));
          }))
          .recover(err -> Future.failedFuture(!committing[0] && err instanceof io.vertx.sqlclient.ClosedConnectionException
              ? cutBeforeCommit() : err))
          .eventually(conn::close)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              outcome.tryComplete();
            } else {
              outcome.tryFail(ar.cause());
            }
          });
      return outcome.future();
    });
  }

  private static UowException cutBeforeCommit() {
    return new UowException.Unavailable("the database connection was lost before COMMIT; the transaction was "
        + "rolled back, nothing was written, retry it");
  }

  private long backoff(int retry) {
    long ceiling = Math.min(retries.maxBackoff().toMillis(), retries.baseBackoff().toMillis() << Math.min(retry, 20));
    return 1 + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
  }

  static boolean isLockFailure(Throwable err) {
    int code = errorCode(err);
    return code == 1213 || code == 1205;
  }

  /** The server's error code, also from inside a batch (whose rows report their own errors); 0 if none. */
  private static int errorCode(Throwable err) {
    if (err instanceof MySQLBatchException batch && !batch.getIterationError().isEmpty()) {
      err = batch.getIterationError().values().iterator().next();
    }
    return err instanceof MySQLException e ? e.getErrorCode() : 0;
  }

  /** The lone dirty row whose UPDATE the lock phase tries (see {@link #checkedByItsUpdate}), and whether it wrote it. */
  private static final class FoldedUpdate {
    final Tracked row;
    boolean written;

    FoldedUpdate(Tracked row) {
      this.row = row;
    }
  }

  /** The lock phase's statements for the rows of one type, and what they found. */
  private static final class TypeLocks {
    final SqlConnection conn;
    final String type;
    final EntityTable table;
    final Map<String, Long> expected;
    final Map<String, Long> held;
    final List<VersionConflict> conflicts;
    /** Rows locked and found as the commit needs them (a reference's target, a row at its version). */
    final Set<String> found = new TreeSet<>();

    TypeLocks(SqlConnection conn, String type, Map<String, Long> expected, Map<String, Long> held,
        List<VersionConflict> conflicts) {
      this.conn = conn;
      this.type = type;
      this.table = Tables.of(type);
      this.expected = expected;
      this.held = held;
      this.conflicts = conflicts;
    }

    /** Rows the commit writes: locked exclusively, each checked against the version it claims. */
    Future<Void> exclusively(List<String> ids) {
      return table.lockVersions(conn, type, ids).map(actual -> {
        for (String id : ids) {
          long version = expected.get(id);
          Long stored = actual.get(id);
          Long copy = held.get(id);
          if (stored == null || stored.longValue() != version) {
            conflicts.add(new VersionConflict(type, id, version, stored));
          } else if (copy != null && copy.longValue() != version) {
            // the stored version is the one claimed, but the unit's copy is another: writing it would lose an update
            conflicts.add(new VersionConflict(type, id, version, stored, copy));
          } else {
            found.add(id);
          }
        }
        return null;
      });
    }

    /** Rows the commit references: locked in shared mode, so they cannot vanish before COMMIT. */
    Future<Void> shared(List<String> ids) {
      return table.existing(conn, type, ids).map(existing -> {
        found.addAll(existing);
        return null;
      });
    }

    /**
     * The folded row: its UPDATE ... WHERE version = ? takes the lock here, in the canonical order, and
     * is its check. When it matches nothing (stale, gone, an indexed value changes) or fails with a
     * statement error, the row is locked and checked as any other, and written in the write phase,
     * which reports such an error at its place and with its precedence.
     */
    Future<Void> byItsUpdate(FoldedUpdate fold, java.time.Instant at) {
      return table.updateKeepingIndexes(conn, fold.row, at)
          .recover(err -> err instanceof MySQLException && !isLockFailure(err) ? Future.succeededFuture(false)
              : Future.failedFuture(err))
          .compose(matched -> {
            if (!matched) {
              return exclusively(List.of(fold.row.id()));
            }
            fold.written = true;
            found.add(fold.row.id());
            return Future.succeededFuture();
          });
    }
  }

  /** Consecutive ids (in id order) locked the same way: exclusively (rows written) or shared (rows referenced). */
  record Run(boolean exclusive, List<String> ids) {
  }

  /** The ids of one type in id order, cut into runs of one lock mode; an id both written and referenced is written. */
  static List<Run> runs(Set<String> written, Set<String> referenced) {
    Set<String> all = new TreeSet<>(written);
    all.addAll(referenced);
    List<Run> runs = new ArrayList<>();
    List<String> current = new ArrayList<>();
    boolean exclusive = false;
    for (String id : all) {
      boolean x = written.contains(id);
      if (!current.isEmpty() && x != exclusive) {
        runs.add(new Run(exclusive, current));
        current = new ArrayList<>();
      }
      exclusive = x;
      current.add(id);
    }
    if (!current.isEmpty()) {
      runs.add(new Run(exclusive, current));
    }
    return runs;
  }

  /**
   * Locks every row the commit depends on and checks it, in ONE canonical order for all commits
   * (type name, then id), so two commits over the same rows queue instead of deadlocking: the rows
   * it writes (dirty, deleted) exclusively with their versions, the stored rows it references in
   * shared mode (they must exist, and must not vanish before COMMIT), in id order whatever the
   * mode. Every stale version is reported at once; missing references only when no version is stale.
   */
  private Future<Void> lockAndCheck(SqlConnection conn, CommitStep.Context commit, FoldedUpdate fold) {
    FlushPlan plan = commit.plan();
    List<VersionConflict> conflicts = new ArrayList<>();
    List<FieldError> missing = new ArrayList<>();
    Map<String, Set<String>> referenced = plan.referencedIds();
    Set<String> types = new TreeSet<>(plan.expectedVersions().keySet());
    types.addAll(referenced.keySet());
    Future<Void> chain = Future.succeededFuture();
    for (String type : types) {
      Set<String> targets = referenced.getOrDefault(type, Set.of());
      TypeLocks locks = new TypeLocks(conn, type, plan.expectedVersions().getOrDefault(type, Map.of()),
          plan.heldVersions().getOrDefault(type, Map.of()), conflicts);
      Set<String> found = locks.found;
      // one pass in id order over both kinds of rows, each run of one kind a statement of its own
      for (Run run : runs(locks.expected.keySet(), targets)) {
        boolean updatedHere = fold != null && fold.row.type().equals(type) && run.ids().equals(List.of(fold.row.id()));
        chain = chain.compose(v -> updatedHere ? locks.byItsUpdate(fold, commit.at())
            : run.exclusive() ? locks.exclusively(run.ids()) : locks.shared(run.ids()));
      }
      if (!targets.isEmpty()) {
        chain = chain.map(v -> {
          for (FlushPlan.PendingReference ref : plan.references()) {
            if (ref.reference().targetType().equals(type) && !found.contains(ref.reference().targetId())) {
              missing.add(new FieldError(ref.fromType() + " " + ref.fromId() + " " + ref.reference().field(),
                  "references " + type + " " + ref.reference().targetId() + ", which does not exist"));
            }
          }
          return null;
        });
      }
    }
    return chain.compose(v -> {
      if (!conflicts.isEmpty()) {
        return Future.failedFuture(new UowException.StaleVersions(conflicts));
      }
      return missing.isEmpty() ? Future.succeededFuture()
          : Future.failedFuture(new UowException.Invalid("the unit of work references entities that do not exist",
              missing));
    });
  }

  /**
   * The dirty row whose {@code UPDATE ... WHERE version = ?} is both its lock and its check, run in the
   * lock phase at the row's place in the canonical order (so the deadlock guarantees stay as they
   * are) instead of a {@code SELECT ... FOR UPDATE} there and the UPDATE later: a round trip less for a
   * commit that writes exactly one existing row (a checkout: one product). Only a row that references
   * nothing may be written that early (a reference may point at a row this commit inserts later), and
   * only one whose copy is the version it claims (otherwise the long way reports both versions). The
   * UPDATE matches only if it changes no indexed column ({@link EntityTable#updateKeepingIndexes}): a
   * unique or secondary index entry written early would lock index records out of the canonical order,
   * and a duplicate would be reported before a missing reference.
   */
  static Tracked checkedByItsUpdate(FlushPlan plan) {
    int locked = plan.expectedVersions().values().stream().mapToInt(Map::size).sum();
    if (locked != 1) {
      return null;
    }
    for (FlushPlan.WriteBatch batch : plan.writes()) {
      if (batch.operation() == FlushPlan.Operation.UPDATE && batch.entities().size() == 1) {
        Tracked row = batch.entities().get(0);
        Long held = plan.heldVersions().getOrDefault(row.type(), Map.of()).get(row.id());
        boolean referencesNothing = !Tables.referencesOthers(row.type()) && !plan.links().containsKey(row.id());
        return referencesNothing && (held == null || held == row.expectedVersion()) ? row : null;
      }
    }
    return null;
  }

  private Future<Void> write(SqlConnection conn, CommitStep.Context commit, FoldedUpdate fold, IntConsumer told) {
    int[] done = {0};
    Map<String, List<Reference>> links = commit.plan().links();
    // the ids of every new entity, all types in one statement (the registry has no order to keep)
    List<Tracked> created = commit.plan().writes().stream().filter(b -> b.operation() == FlushPlan.Operation.INSERT)
        .flatMap(b -> b.entities().stream()).toList();
    // every statement sent now, in plan order (which the server keeps), none waiting for another's answer
    List<Future<?>> sent = new ArrayList<>();
    sent.add(EntityIds.register(conn, created));
    for (FlushPlan.WriteBatch batch : commit.plan().writes()) {
      EntityTable table = Tables.of(batch.type());
      Future<Void> written = switch (batch.operation()) {
        case INSERT -> Pipeline.then(conn,
            () -> table.insert(conn, batch.entities().stream().map(Tracked::entity).toList(), commit.at()),
            () -> EntityReferences.write(conn, batch.type(), batch.entities(), links, false));
        case UPDATE -> fold != null && fold.written && batch.entities().size() == 1 && batch.entities().get(0) == fold.row
            ? Future.<Void>succeededFuture() // written, checked and locked in the lock phase
            : Pipeline.firstFailureInOrder(List.of(
                table.update(conn, batch.entities(), commit.at()).compose(stale -> staleCheck(conn, batch, stale)),
                EntityReferences.write(conn, batch.type(), batch.entities(), links, true)));
        // who still references a row is checked before its DELETE runs: that 409 names them, and comes first
        case DELETE -> Pipeline.firstFailureInOrder(List.of(
            EntityReferences.releaseForDelete(conn, batch.type(), batch.entities()),
            table.delete(conn, batch.entities()).compose(stale -> staleCheck(conn, batch, stale)),
            EntityIds.forget(conn, batch.entities())));
      };
      sent.add(written.onSuccess(v -> told.accept(done[0] += batch.entities().size())));
    }
    return Pipeline.firstFailureInOrder(sent);
  }

  /**
   * An UPDATE or DELETE that matched no row: the row checked by its own UPDATE was stale (or gone),
   * reported with what is stored; for rows locked and checked first it fires only if something bypassed
   * the locks.
   */
  private static Future<Void> staleCheck(SqlConnection conn, FlushPlan.WriteBatch batch, List<String> staleIds) {
    if (staleIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tracked> stale = batch.entities().stream().filter(t -> staleIds.contains(t.id())).toList();
    Map<String, Long> expected = new java.util.HashMap<>();
    stale.forEach(t -> expected.put(t.id(), t.expectedVersion()));
    return Tables.of(batch.type()).lockVersions(conn, batch.type(), expected.keySet()).compose(actual -> {
      List<VersionConflict> conflicts = new ArrayList<>();
      for (Tracked t : stale) {
        conflicts.add(new VersionConflict(t.type(), t.id(), t.expectedVersion(), actual.get(t.id())));
      }
      return Future.failedFuture(new UowException.StaleVersions(conflicts));
    });
  }

  /** The steps before the writes one after the other (a claimed key decides); those after them pipelined. */
  private static Future<Void> runSteps(SqlConnection conn, CommitStep.Context commit, List<CommitStep> steps,
      boolean before) {
    return before ? Futures.inOrder(steps, step -> step.beforeWrites(conn, commit))
        : Pipeline.each(conn, steps, step -> step.run(conn, commit));
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
      case 1213, 1205 -> new UowException.Conflict("the commit kept colliding with concurrent commits on the same "
          + "entities (" + (e.getErrorCode() == 1213 ? "deadlock" : "lock wait timeout") + ", retried in the service "
          + "within its retries and deadline); nothing was written, retry it");
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
