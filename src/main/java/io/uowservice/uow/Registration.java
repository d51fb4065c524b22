package io.uowservice.uow;

import io.uowservice.domain.EntityState;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.Lids;
import io.uowservice.domain.UowException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One entity registered in a unit as new, dirty, deleted or clean, as the session API
 * ({@code POST …/entities/{state}}) and a transaction's operation both state it: checked here,
 * applied by {@link Registrar}. {@code fields} is the body of a new entity; {@code entityId} is
 * null for a new entity of the session API (the factory assigns it).
 */
record Registration(EntityState state, String entityId, String type, Long expectedVersion, JsonObject changes,
    String lid, JsonObject fields) {

  /** A registration of the session API: {@code body} is the request body. */
  static Registration of(EntityState state, JsonObject body) {
    String lid = null;
    if (state == EntityState.NEW) {
      List<FieldError> lidErrors = new ArrayList<>();
      lid = Lids.parse(body.getValue("lid"), lidErrors);
      if (!lidErrors.isEmpty()) {
        throw new UowException.Invalid("invalid lid", lidErrors);
      }
    }
    return of(state, body, state == EntityState.NEW ? null : requiredId(body), lid);
  }

  /** A transaction's operation, its id settled beforehand ({@link TransactionOperations#assignIds}). */
  static Registration ofOperation(EntityState state, JsonObject op, String id) {
    String lid = op.getValue("lid") instanceof String s ? s : null; // checked with the ids
    return of(state, state == EntityState.NEW ? op.copy().put("id", id) : op, id, lid);
  }

  private static Registration of(EntityState state, JsonObject body, String id, String lid) {
    String type = optionalType(body);
    Long expectedVersion = expectedVersion(body);
    Object changes = body.getValue("changes");
    if (state != EntityState.NEW && changes != null && !(changes instanceof JsonObject)) {
      throw new UowException.Invalid("changes must be a JSON object", List.of(new FieldError("changes",
          "must be a JSON object")));
    }
    return new Registration(state, id, type, expectedVersion, changes instanceof JsonObject c ? c : null, lid,
        state == EntityState.NEW ? body : null);
  }

  private static String requiredId(JsonObject body) {
    Object id = body.getValue("entity_id");
    if (id == null) {
      id = body.getValue("id");
    }
    if (!(id instanceof String s) || s.isBlank()) {
      throw new UowException.Invalid("entity_id is required", List.of(new FieldError("entity_id",
          "is required: the id of a stored entity")));
    }
    return s;
  }

  private static String optionalType(JsonObject body) {
    Object type = body.getValue("type");
    if (type == null) {
      return null;
    }
    if (!(type instanceof String s)) {
      throw new UowException.Invalid("type must be a string", List.of(new FieldError("type", "must be a string")));
    }
    return s;
  }

  private static Long expectedVersion(JsonObject body) {
    Object v = body.getValue("expected_version");
    if (v == null) {
      return null;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return ((Number) v).longValue();
    }
    throw new UowException.Invalid("expected_version must be a non-negative integer",
        List.of(new FieldError("expected_version", "must be a non-negative integer")));
  }
}
