package io.uowservice.http;

import io.uowservice.api.Problem;
import io.uowservice.bus.ServiceClient;
import io.uowservice.config.AppConfig;
import io.uowservice.metrics.Telemetry;
import io.uowservice.security.SecurityAudit;
import io.uowservice.web.Responses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.uowservice.cluster.Node;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Running the service: runtime types ({@code /repositories}), the outbox's dead letters, stats,
 * info, health, metrics and the OpenAPI document.
 */
final class OperationRoutes {

  private static final String API = HttpVerticle.API;
  private static final long CHECK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final ServiceClient bus;
  private final AppConfig config;
  private final Guards guards;
  private final Buffer contractDocument;
  private final HealthChecks health;
  private final Instant startedAt = Instant.now();

  OperationRoutes(Vertx vertx, ServiceClient bus, AppConfig config, Guards guards, Buffer contractDocument) {
    this.vertx = vertx;
    this.bus = bus;
    this.config = config;
    this.guards = guards;
    this.contractDocument = contractDocument;
    this.health = HealthChecks.create(vertx)
        .register("database", CHECK_TIMEOUT_MS, p -> bus.types().ping().onComplete(ar -> p.complete(ar.succeeded()
            ? Status.OK() : Status.KO(new JsonObject().put("error", "database unreachable")))))
        .register("unit-of-work", CHECK_TIMEOUT_MS, p -> bus.units().stats()
            .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK() : Status.KO())))
        // dead letters need an admin, but the service is up: reported, not DOWN
        .register("outbox", CHECK_TIMEOUT_MS, p -> bus.outbox().countDeadLetters().onComplete(ar -> p.complete(
            ar.succeeded() ? Status.OK(new JsonObject().put("dead_letters", ar.result())) : Status.KO())));
    if (Node.isClustered(vertx)) {
      // which node answered, and how many it sees: a node cut off from the others still serves its own units
      health.register("cluster", CHECK_TIMEOUT_MS, p -> p.complete(Status.OK(new JsonObject()
          .put("node", Node.tag(vertx)).put("members", Node.memberCount(vertx)))));
    }
  }

  void mount(Router router) {
    for (String path : List.of(API + "/repositories", API + "/repositories/")) {
      router.post(path).handler(guards.admin()).handler(this::registerType);
      router.get(path).handler(guards.reader()).handler(ctx -> Responses.reply(ctx, bus.types().list(), 200,
          Function.identity()));
    }
    router.get(API + "/repositories/:type").handler(guards.reader()).handler(ctx -> Responses.reply(ctx,
        bus.types().describe(ctx.pathParam("type")), 200, Function.identity()));
    router.get(API + "/outbox/dead-letters").handler(guards.admin()).handler(ctx -> Responses.reply(ctx,
        bus.outbox().deadLetters(100), 200, items -> new JsonObject().put("items", items)));
    router.post(API + "/outbox/dead-letters/:seq/retry").handler(guards.admin()).handler(this::retryDeadLetter);
    router.get(API + "/stats").handler(guards.reader()).handler(this::stats);
    router.get(API + "/info").handler(this::info);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(Telemetry.registry()));
    router.get("/" + ContractValidation.RESOURCE).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(contractDocument));
  }

  private void registerType(RoutingContext ctx) {
    JsonObject body = Requests.jsonBody(ctx);
    if (body == null) {
      return;
    }
    Responses.created(ctx, bus.types().register(body), type -> API + "/repositories/" + type.getString("entity_type"));
  }

  private void retryDeadLetter(RoutingContext ctx) {
    long seq;
    try {
      seq = Long.parseLong(ctx.pathParam("seq"));
    } catch (NumberFormatException e) {
      Responses.problem(ctx, Problem.notFound("no dead letter " + ctx.pathParam("seq")));
      return;
    }
    Responses.reply(ctx, bus.outbox().retry(seq), 200, Function.identity());
  }

  private void stats(RoutingContext ctx) {
    Responses.reply(ctx, bus.units().stats().compose(units -> bus.liveStats().map(live -> {
      SecurityAudit audit = SecurityAudit.of(vertx);
      return units.put("live_updates", live)
          .put("denied", audit.deniedJson())
          .put("rate_limiter", new JsonObject().put("store", config.cache().type())
              .put("fail_open", audit.rateLimiterFailOpenCount()));
    })), 200, Function.identity());
  }

  private void info(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject()
        .put("name", config.app().name())
        .put("version", config.app().version())
        .put("description", config.app().description())
        .put("api_version", "v1")
        .put("entity_types", new JsonArray(config.units().supportedEntityTypes()))
        .put("default_entity_type", config.units().defaultEntityType())
        .put("limits", new JsonObject()
            .put("max_entities", config.limits().maxEntities())
            .put("max_name_length", config.limits().maxNameLength())
            .put("max_description_length", config.limits().maxDescriptionLength())
            .put("transaction_timeout_seconds", config.units().idleTimeout().toSeconds()))
        .put("started_at", startedAt.toString())
        .put("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds()));
  }

  private void health(RoutingContext ctx) {
    health.checkStatus().onComplete(ar -> {
      CheckResult result = ar.succeeded() ? ar.result() : null;
      boolean up = result != null && CheckResult.isUp(result);
      JsonArray checks = new JsonArray();
      if (result != null && result.getChecks() != null) {
        for (CheckResult check : result.getChecks()) {
          JsonObject c = new JsonObject().put("id", check.getId())
              .put("status", CheckResult.isUp(check) ? "UP" : "DOWN");
          if (check.getData() != null && !check.getData().isEmpty()) {
            c.put("data", check.getData());
          }
          checks.add(c);
        }
      }
      Responses.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }
}
