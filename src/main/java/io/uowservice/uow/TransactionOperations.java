package io.uowservice.uow;

import io.uowservice.domain.FieldError;
import io.uowservice.domain.Ids;
import io.uowservice.domain.Lids;
import io.uowservice.domain.UowException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the shape of a {@code POST /api/v1/transactions} body and settles every operation's entity id. */
final class TransactionOperations {

  private static final Set<String> OPS = Set.of("new", "dirty", "deleted", "clean");

  /** Operation i acts on ids[i]; {@code lids} maps every new operation's lid to its id. */
  record Resolved(List<String> ids, Map<String, String> lids, Set<String> newIds) {
  }

  private TransactionOperations() {
  }

  static List<JsonObject> parse(Object raw, int maxOperations) {
    if (!(raw instanceof JsonArray array) || array.isEmpty()) {
      throw new UowException.Invalid("operations must be a non-empty array",
          List.of(new FieldError("operations", "must be a non-empty array of operations")));
    }
    if (array.size() > maxOperations) {
      throw new UowException.LimitExceeded("a transaction holds at most " + maxOperations + " operations, got "
          + array.size());
    }
    List<JsonObject> ops = new ArrayList<>(array.size());
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject op)) {
        errors.add(new FieldError("operations[" + i + "]", "must be an object"));
        continue;
      }
      if (!(op.getValue("op") instanceof String kind) || !OPS.contains(kind)) {
        errors.add(new FieldError("operations[" + i + "].op", "must be one of new, dirty, deleted, clean"));
      }
      ops.add(op);
    }
    fail(errors);
    return ops;
  }

  static Resolved assignIds(List<JsonObject> ops) {
    List<FieldError> errors = new ArrayList<>();
    Map<String, String> lids = new HashMap<>();
    Set<String> newIds = new HashSet<>();
    String[] ids = new String[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      JsonObject op = ops.get(i);
      if (!"new".equals(op.getString("op"))) {
        continue;
      }
      Object rawId = op.getValue("id");
      if (rawId == null) {
        ids[i] = Ids.generate();
      } else if (rawId instanceof String s && Ids.isValid(s)) {
        ids[i] = s;
      } else {
        errors.add(new FieldError("operations[" + i + "].id", "must be 1-64 characters of letters, digits, "
            + "'.', '_', ':', '@' or '-'"));
        continue;
      }
      List<FieldError> lidErrors = new ArrayList<>();
      String lid = Lids.parse(op.getValue("lid"), lidErrors);
      for (FieldError e : lidErrors) {
        errors.add(new FieldError("operations[" + i + "].lid", e.message()));
      }
      if (lid != null && lids.putIfAbsent(lid, ids[i]) != null) {
        errors.add(new FieldError("operations[" + i + "].lid", "lid '" + lid + "' is defined twice"));
      }
      newIds.add(ids[i]);
    }
    for (int i = 0; i < ops.size(); i++) {
      JsonObject op = ops.get(i);
      if ("new".equals(op.getString("op"))) {
        continue;
      }
      Object rawId = op.getValue("id", op.getValue("entity_id"));
      Object lid = op.getValue("lid");
      if (rawId instanceof String s && !s.isBlank()) {
        ids[i] = s;
      } else if (lid instanceof String l && lids.containsKey(l)) {
        ids[i] = lids.get(l);
      } else if (lid != null) {
        errors.add(new FieldError("operations[" + i + "].lid", "unknown lid '" + lid + "': no new operation carries it"));
      } else {
        errors.add(new FieldError("operations[" + i + "].id", "is required: the id (or lid) of the entity"));
      }
    }
    fail(errors);
    return new Resolved(List.of(ids), Map.copyOf(lids), Set.copyOf(newIds));
  }

  /** The same failure, naming the operation it came from. */
  static Throwable at(int index, Throwable err) {
    String where = "operation " + index + ": ";
    if (err instanceof UowException.Invalid e) {
      List<FieldError> errors = new ArrayList<>();
      e.errors().forEach(f -> errors.add(new FieldError("operations[" + index + "]." + f.field(), f.message())));
      return new UowException.Invalid(where + e.getMessage(), errors);
    }
    if (err instanceof UowException.NotFound e) {
      return new UowException.NotFound(where + e.getMessage());
    }
    if (err instanceof UowException.Conflict e) {
      return new UowException.Conflict(where + e.getMessage());
    }
    if (err instanceof UowException.LimitExceeded e) {
      return new UowException.LimitExceeded(where + e.getMessage());
    }
    return err;
  }

  private static void fail(List<FieldError> errors) {
    UowException.Invalid.throwIfAny("invalid operations", errors);
  }

}
