package io.uowservice.uow;

import io.uowservice.api.RequestHashes;
import io.uowservice.bus.Idempotency;
import io.uowservice.bus.UnitService.Reply;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.metrics.Telemetry;
import io.uowservice.repository.IdempotencyStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Idempotency-Key protocol of commits and transactions: a commit runs at most once per
 * (subject, key); its outcome is stored in the commit's own transaction
 * ({@link IdempotencyStore#record}) and replayed to a retry of the same content, refused (422) for
 * any other content.
 */
final class IdempotentCommits {

  private final Pool pool;
  private final ShardStats stats;

  IdempotentCommits(Pool pool, ShardStats stats) {
    this.pool = pool;
    this.stats = stats;
  }

  /**
   * A key, the hash of what it commits ({@code hash}) and of the request it came with
   * ({@code scope}). A transaction's content is its body, so both are the body's hash; a unit's
   * commit is bound to the unit's content at the moment it arrives. {@code unit} is that unit (null
   * for a transaction): a replay that matches its content empties it, as the replayed commit did.
   */
  record Request(String key, String hash, String scope, UnitOfWork unit) {

    /** Null when the request had no key. */
    static Request of(Idempotency idempotency, UnitOfWork unit) {
      if (idempotency == null) {
        return null;
      }
      String request = idempotency.requestHash() == null ? "" : idempotency.requestHash();
      return new Request(idempotency.key(), unit == null ? request : RequestHashes.content(request, unit.fingerprint()),
          request, unit);
    }
  }

  /**
   * Runs {@code execute} at most once per (subject, key): a stored outcome is replayed (same
   * request) or refused with 422 (another request); a concurrent duplicate that lost the race for
   * the key replays the winner's outcome. {@code notRun} is called when {@code execute} will not
   * run (a replay, a failed lookup).
   */
  Future<Reply> run(String subject, Request idem, Supplier<Future<JsonObject>> execute, Runnable notRun) {
    if (idem == null) {
      return execute.get().map(body -> new Reply(body, false));
    }
    return IdempotencyStore.find(pool, subject, idem.key(), Instant.now()).onFailure(err -> notRun.run())
        .compose(found -> {
          if (found.isPresent()) {
            notRun.run();
            return replay(found.get(), idem);
          }
          return execute.get().map(body -> new Reply(body, false)).recover(err -> {
            if (!(err instanceof IdempotencyStore.KeyTaken)) {
              return Future.failedFuture(err);
            }
            return IdempotencyStore.find(pool, subject, idem.key(), Instant.now()).compose(winner -> winner.isPresent()
                ? replay(winner.get(), idem)
                : Future.failedFuture(new UowException.InProgress("a request with the same Idempotency-Key is in "
                    + "progress; retry later to get its outcome")));
          });
        });
  }

  /**
   * A commit retried under its key after its unit was lost with its node: the outcome stored when
   * that commit landed (same unit: the key's scope is the unit's commit request), else
   * {@code notRecorded} — nothing was committed under the key — or 422 when the key recorded another request.
   */
  Future<Reply> recorded(String subject, Idempotency key, Supplier<UowException> notRecorded) {
    return IdempotencyStore.find(pool, subject, key.key(), Instant.now()).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(notRecorded.get());
      }
      IdempotencyStore.Outcome outcome = found.get();
      String scope = outcome.scopeHash() != null ? outcome.scopeHash() : outcome.requestHash();
      if (!scope.equals(key.requestHash())) {
        return Future.failedFuture(new UowException.Invalid("Idempotency-Key '" + key.key()
            + "' was already used with a different request (another unit)",
            List.of(new FieldError("Idempotency-Key", "already used to commit other content"))));
      }
      stats.replays++;
      Telemetry.idempotentReplay();
      return Future.succeededFuture(new Reply(outcome.response(), true));
    });
  }

  /**
   * The stored outcome, when the key was first used for this same content, or for this same unit
   * that its commit left empty (a retry after the response was lost); anything else under the key
   * is another request: 422, nothing replayed, nothing written.
   */
  private Future<Reply> replay(IdempotencyStore.Outcome outcome, Request idem) {
    boolean sameContent = outcome.requestHash().equals(idem.hash());
    boolean sameUnitSinceEmptied = idem.unit() != null && idem.unit().isEmpty()
        // records from before scopes existed were bound to the request alone
        && idem.scope().equals(outcome.scopeHash() != null ? outcome.scopeHash() : outcome.requestHash());
    if (!sameContent && !sameUnitSinceEmptied) {
      return Future.failedFuture(new UowException.Invalid("Idempotency-Key '" + idem.key()
          + "' was already used with a different request" + (idem.unit() != null
              ? " (another unit, or this unit with other content than the commit it recorded)" : ""),
          List.of(new FieldError("Idempotency-Key", idem.unit() != null
              ? "already used to commit other content" : "already used with a different request body"))));
    }
    if (sameContent && idem.unit() != null && !idem.unit().isEmpty()
        && idem.unit().status() == UnitOfWork.Status.OPEN) {
      idem.unit().discardAll(); // the recorded commit already wrote exactly this content
    }
    stats.replays++;
    Telemetry.idempotentReplay();
    return Future.succeededFuture(new Reply(outcome.response(), true));
  }
}
