package io.uowservice.api;

import io.uowservice.domain.FieldError;
import io.uowservice.domain.UowException;
import io.uowservice.domain.VersionConflict;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9457 problem details, and the one mapping from failures to them. */
public record Problem(int status, String slug, String title, String detail, JsonArray errors, JsonArray conflicts) {

  public static final String TYPE_BASE = "https://uow-service.dev/problems/";
  private static final Logger LOG = LoggerFactory.getLogger(Problem.class);

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(status, slug, title, detail, null, null);
  }

  public static Problem badRequest(String detail) {
    return of(400, "bad-request", "Bad request", detail);
  }

  public static Problem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public static Problem invalid(String detail, List<FieldError> errors) {
    return new Problem(422, "validation-failed", "Validation failed", detail, fieldErrors(errors), null);
  }

  /**
   * A commit whose outcome the service does not know (its COMMIT got no answer, or the answer did
   * not arrive in time): neither a conflict nor a failure to retry blindly.
   */
  public static Problem outcomeUnknown(String detail) {
    return of(504, OUTCOME_UNKNOWN, "Commit outcome unknown", detail);
  }

  public static final String OUTCOME_UNKNOWN = "commit-outcome-unknown";
  /** Another request with the same Idempotency-Key is running; retry for its outcome. */
  public static final String IN_PROGRESS = "idempotency-key-in-progress";

  /** Longest detail any problem carries, on the bus or to a client. */
  static final int MAX_DETAIL = 2048;

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", TYPE_BASE + slug)
        .put("title", title)
        .put("status", status)
        .put("detail", detail == null || detail.length() <= MAX_DETAIL ? detail
            : detail.substring(0, MAX_DETAIL - 3) + "...");
    if (errors != null && !errors.isEmpty()) {
      json.put("errors", errors);
    }
    if (conflicts != null && !conflicts.isEmpty()) {
      json.put("conflicts", conflicts);
    }
    return json;
  }

  public static Problem fromJson(JsonObject json) {
    String type = json.getString("type", TYPE_BASE + "error");
    return new Problem(json.getInteger("status", 500),
        type.startsWith(TYPE_BASE) ? type.substring(TYPE_BASE.length()) : type,
        json.getString("title"), json.getString("detail"), json.getJsonArray("errors"), json.getJsonArray("conflicts"));
  }

  /** Maps any failure to the problem a client sees; unexpected ones are logged and hidden. */
  public static Problem from(Throwable failure) {
    if (failure instanceof UowException e) {
      return switch (e.kind()) {
        case BAD_REQUEST -> badRequest(e.getMessage());
        case INVALID -> invalid(e.getMessage(), ((UowException.Invalid) e).errors());
        case NOT_FOUND -> notFound(e.getMessage());
        case GONE -> of(410, "unit-lost", "Unit of work lost with its node", e.getMessage());
        case CONFLICT -> of(409, "conflict", "Conflict", e.getMessage());
        case VERSION_CONFLICT -> new Problem(409, "version-conflict", "Version conflict", e.getMessage(), null,
            versionConflicts(((UowException.StaleVersions) e).conflicts()));
        case LIMIT_EXCEEDED -> of(422, "limit-exceeded", "Limit exceeded", e.getMessage());
        case UNAVAILABLE -> of(503, "unavailable", "Service unavailable", e.getMessage());
        case OUTCOME_UNKNOWN -> outcomeUnknown(e.getMessage());
        case IN_PROGRESS -> of(409, IN_PROGRESS, "Request in progress", e.getMessage());
      };
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.getMessage() != null
          && reply.getMessage().startsWith("{")) {
        try {
          return fromJson(new JsonObject(reply.getMessage()));
        } catch (DecodeException ignored) {
          // not one of ours: fall through
        }
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return of(503, "timeout", "Service busy", "the request timed out inside the service; retry later");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return of(503, "unavailable", "Service unavailable", "a component of the service is not running");
      }
    }
    if (failure instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || failure != null && failure.getClass().getSimpleName().equals("NoStackTraceTimeoutException")
        || failure instanceof io.vertx.core.VertxException && failure.getMessage() != null
            && failure.getMessage().startsWith("Timeout waiting for connection")) {
      // the connection pool is exhausted (its wait queue full, or no connection within connect_timeout)
      return of(503, "unavailable", "Service unavailable", "the database is busy; retry later");
    }
    String message = failure == null ? null : failure.getMessage();
    if (message != null && message.length() > MAX_DETAIL) {
      // a message that long came from input: logged clipped, never in full
      LOG.error("unexpected failure {}: {}...", failure.getClass().getName(), message.substring(0, MAX_DETAIL));
    } else {
      LOG.error("unexpected failure", failure);
    }
    return of(500, "internal-error", "Internal server error", "the service failed to handle the request");
  }

  /** For event-bus replies: {@code message.fail(problem.status(), problem.encoded())}. */
  public String encoded() {
    return toJson().encode();
  }

  private static JsonArray fieldErrors(List<FieldError> errors) {
    JsonArray out = new JsonArray();
    errors.forEach(e -> out.add(new JsonObject().put("field", e.field()).put("message", e.message())));
    return out;
  }

  private static JsonArray versionConflicts(List<VersionConflict> conflicts) {
    JsonArray out = new JsonArray();
    conflicts.forEach(c -> {
      JsonObject conflict = new JsonObject().put("type", c.type()).put("id", c.id())
          .put("expected_version", c.expectedVersion()).put("actual_version", c.actualVersion());
      if (c.heldVersion() != null) {
        conflict.put("held_version", c.heldVersion());
      }
      out.add(conflict);
    });
    return out;
  }
}
