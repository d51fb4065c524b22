package io.uowservice.http;

import io.uowservice.api.Problem;
import io.uowservice.api.RequestHashes;
import io.uowservice.bus.UnitService;
import io.uowservice.bus.UnitService.Reply;
import io.uowservice.bus.UnitService.UnitCall;
import io.uowservice.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The units of work: {@code /units-of-work/{id}/…} (a unit by id), {@code /unit-of-work/…} (the
 * seed's paths: the unit of the {@code X-Unit-Of-Work-Id} header, else the caller's default unit)
 * and the one-round-trip {@code /transactions}.
 */
final class UnitRoutes {

  private static final String API = HttpVerticle.API;
  private static final Set<String> STATES = Set.of("new", "dirty", "deleted", "clean");
  private static final Pattern UNIT_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
  static final String UNIT_HEADER = "X-Unit-Of-Work-Id";

  private final UnitService units;
  private final Guards guards;

  UnitRoutes(UnitService units, Guards guards) {
    this.units = units;
    this.guards = guards;
  }

  void mount(Router router) {
    router.post(API + "/units-of-work").handler(guards.writer()).handler(this::create);
    mount(router, API + "/units-of-work/:unitId", ctx -> unitRef(ctx.pathParam("unitId")));
    mount(router, API + "/unit-of-work", UnitRoutes::byHeader);
    router.post(API + "/transactions").handler(guards.writer()).handler(this::transaction);
  }

  /** The unit-scoped routes, mounted under both the id-addressed path and the seed's path. */
  private void mount(Router router, String base, Function<RoutingContext, UnitRef> ref) {
    router.get(base).handler(guards.reader()).handler(ctx -> call(ctx, ref, units::summary, 200));
    router.delete(base).handler(guards.writer()).handler(ctx -> call(ctx, ref, units::discard, 204));
    router.post(base + "/entities/:state").handler(guards.writer()).handler(ctx -> {
      String state = state(ctx);
      JsonObject payload = state == null ? null : Requests.jsonBody(ctx);
      if (payload != null) {
        call(ctx, ref, c -> units.register(c, state, payload), "new".equals(state) ? 201 : 200);
      }
    });
    router.get(base + "/entities").handler(guards.reader()).handler(ctx -> call(ctx, ref, c -> units.entities(c, null),
        200));
    router.get(base + "/entities/:state").handler(guards.reader()).handler(ctx -> {
      String state = state(ctx);
      if (state != null) {
        call(ctx, ref, c -> units.entities(c, state).map(r -> r.getJsonArray("items")), 200);
      }
    });
    router.delete(base + "/entities").handler(guards.admin()).handler(ctx -> call(ctx, ref, units::clear, 204));
    router.post(base + "/commit").handler(guards.writer()).handler(ctx -> {
      UnitRef unit = ref.apply(ctx);
      Requests.Key key = Requests.idempotency(ctx, () -> RequestHashes.commit(unit.unitId()));
      if (key.valid()) {
        call(ctx, c -> replayable(ctx, units.commit(c, key.idempotency())), unit, 200);
      }
    });
    router.post(base + "/rollback").handler(guards.writer()).handler(ctx -> {
      Object to = null;
      if (!ctx.body().isEmpty()) {
        JsonObject payload = Requests.jsonBody(ctx);
        if (payload == null) {
          return;
        }
        to = payload.getValue("to_savepoint");
      }
      Object toSavepoint = to;
      call(ctx, ref, c -> units.rollback(c, toSavepoint), 200);
    });
    router.post(base + "/savepoints").handler(guards.writer()).handler(ctx -> {
      JsonObject payload = Requests.jsonBody(ctx);
      if (payload != null) {
        call(ctx, ref, c -> units.savepoint(c, payload.getValue("name")), 201);
      }
    });
    router.get(base + "/savepoints").handler(guards.reader())
        .handler(ctx -> call(ctx, ref, c -> units.savepoints(c).map(r -> r.getJsonArray("items")), 200));
  }

  private void create(RoutingContext ctx) {
    Responses.created(ctx, units.create(Requests.subject(ctx)), unit -> API + "/units-of-work/" + unit.getString("id"));
  }

  /** One-round-trip atomic batch: the operations become one unit, committed in one transaction. */
  private void transaction(RoutingContext ctx) {
    JsonObject payload = Requests.jsonBody(ctx);
    if (payload == null) {
      return;
    }
    Requests.Key key = Requests.idempotency(ctx, () -> RequestHashes.transaction(payload));
    if (key.valid()) {
      Responses.reply(ctx, replayable(ctx, units.transact(Requests.subject(ctx), payload.getValue("operations"),
          key.idempotency())), 200, Function.identity());
    }
  }

  /** A commit's body; a replayed one says so in a header. */
  private static Future<JsonObject> replayable(RoutingContext ctx, Future<Reply> reply) {
    return reply.map(r -> {
      if (r.replayed()) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
      }
      return r.body();
    });
  }

  private static String state(RoutingContext ctx) {
    String state = ctx.pathParam("state");
    if (STATES.contains(state)) {
      return state;
    }
    Responses.problem(ctx, Problem.notFound("no entity set '" + state + "'; use new, dirty, deleted or clean"));
    return null;
  }

  private static void call(RoutingContext ctx, Function<RoutingContext, UnitRef> ref,
      Function<UnitCall, Future<?>> call, int status) {
    call(ctx, call, ref.apply(ctx), status);
  }

  private static void call(RoutingContext ctx, Function<UnitCall, Future<?>> call, UnitRef ref, int status) {
    if (ref.invalid() != null) {
      Responses.problem(ctx, ref.invalid());
      return;
    }
    Responses.reply(ctx, call.apply(new UnitCall(Requests.subject(ctx), ref.unitId())), status, Function.identity());
  }

  /** Which unit a request names: an id, or (null) the subject's default unit; or why it names none. */
  private record UnitRef(String unitId, Problem invalid) {
  }

  private static UnitRef byHeader(RoutingContext ctx) {
    String header = ctx.request().getHeader(UNIT_HEADER);
    return header == null ? new UnitRef(null, null) : unitRef(header.trim());
  }

  private static UnitRef unitRef(String id) {
    if (id == null || !UNIT_ID.matcher(id).matches()) {
      return new UnitRef(null, Problem.notFound("unit of work " + id + " does not exist"));
    }
    return new UnitRef(id, null);
  }
}
