package io.uowservice.domain;

import java.util.List;

/**
 * A failure the client can act on. Each kind maps to one HTTP status at the edge; the core itself
 * knows nothing about HTTP.
 */
public sealed class UowException extends RuntimeException {

  public enum Kind { BAD_REQUEST, INVALID, NOT_FOUND, GONE, CONFLICT, VERSION_CONFLICT, LIMIT_EXCEEDED, UNAVAILABLE,
    OUTCOME_UNKNOWN, IN_PROGRESS }

  private final Kind kind;

  UowException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** A malformed request: an unknown query field, a value of the wrong shape in a URL (400). */
  public static final class BadRequest extends UowException {
    public BadRequest(String message) {
      super(Kind.BAD_REQUEST, message);
    }
  }

  /** Input that is well-formed JSON but breaks a rule (422); at most {@link #MAX_ERRORS} errors are listed. */
  public static final class Invalid extends UowException {
    public static final int MAX_ERRORS = 20;
    private final List<FieldError> errors;

    public Invalid(String message, List<FieldError> errors) {
      super(Kind.INVALID, message);
      this.errors = List.copyOf(errors.subList(0, Math.min(errors.size(), MAX_ERRORS)));
    }

    public Invalid(String message) {
      this(message, List.of());
    }

    /** Fails with every error spelled out in the detail ("message: field problem; field problem"), if any. */
    public static void throwIfAny(String message, List<FieldError> errors) {
      if (errors.isEmpty()) {
        return;
      }
      StringBuilder detail = new StringBuilder(message).append(": ");
      int shown = Math.min(errors.size(), MAX_ERRORS);
      for (int i = 0; i < shown; i++) {
        detail.append(i == 0 ? "" : "; ").append(errors.get(i).field()).append(' ').append(errors.get(i).message());
      }
      if (errors.size() > shown) {
        detail.append("; and ").append(errors.size() - shown).append(" more");
      }
      throw new Invalid(detail.toString(), errors.subList(0, shown));
    }

    public List<FieldError> errors() {
      return errors;
    }
  }

  public static final class NotFound extends UowException {
    public NotFound(String message) {
      super(Kind.NOT_FOUND, message);
    }
  }

  /** The request contradicts the unit's or the database's state (409). */
  /**
   * The unit existed, but the node that held it is gone and its uncommitted changes with it (410):
   * never re-created empty; the client starts a new unit.
   */
  public static final class Gone extends UowException {
    public Gone(String message) {
      super(Kind.GONE, message);
    }
  }

  public static final class Conflict extends UowException {
    public Conflict(String message) {
      super(Kind.CONFLICT, message);
    }
  }

  /** Optimistic-lock failure at commit: every conflicting entity is listed (409). */
  public static final class StaleVersions extends UowException {
    private final List<VersionConflict> conflicts;

    public StaleVersions(List<VersionConflict> conflicts) {
      super(Kind.VERSION_CONFLICT, describe(conflicts));
      this.conflicts = List.copyOf(conflicts);
    }

    public List<VersionConflict> conflicts() {
      return conflicts;
    }

    private static String describe(List<VersionConflict> conflicts) {
      StringBuilder sb = new StringBuilder("stale version for ");
      for (int i = 0; i < conflicts.size(); i++) {
        VersionConflict c = conflicts.get(i);
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(c.type()).append(' ').append(c.id()).append(" (expected ").append(c.expectedVersion())
            .append(", found ").append(c.actualVersion() == null ? "none" : c.actualVersion());
        if (c.heldVersion() != null) {
          sb.append(", but this unit holds version ").append(c.heldVersion())
              .append(": roll the unit back (or to a savepoint taken before it was loaded) and load it again");
        }
        sb.append(')');
      }
      return sb.toString();
    }
  }

  /** A configured limit (entities per unit, repositories, ...) would be exceeded (422). */
  public static final class LimitExceeded extends UowException {
    public LimitExceeded(String message) {
      super(Kind.LIMIT_EXCEEDED, message);
    }
  }

  /**
   * The service could not do it now and did nothing: safe to retry as it is (503 + Retry-After).
   * E.g. a commit that gave up before COMMIT because it ran past its deadline.
   */
  public static final class Unavailable extends UowException {
    public Unavailable(String message) {
      super(Kind.UNAVAILABLE, message);
    }
  }

  /**
   * The commit was sent to the database but its answer never came: it may or may not have landed.
   * Never reported as a failure to retry blindly; the unit's summary or the Idempotency-Key tells.
   */
  public static final class OutcomeUnknown extends UowException {
    public OutcomeUnknown(String message) {
      super(Kind.OUTCOME_UNKNOWN, message);
    }
  }

  /**
   * Another request with the same Idempotency-Key is still running: this one did nothing; retry it
   * later to get that request's outcome (409, a problem type of its own).
   */
  public static final class InProgress extends UowException {
    public InProgress(String message) {
      super(Kind.IN_PROGRESS, message);
    }
  }
}
