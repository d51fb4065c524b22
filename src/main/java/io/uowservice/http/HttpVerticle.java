package io.uowservice.http;

import io.uowservice.bridge.LiveUpdates;
import io.uowservice.bus.Addresses;
import io.uowservice.bus.Addresses.RepositoryActions;
import io.uowservice.bus.Addresses.TypeActions;
import io.uowservice.bus.Addresses.UnitActions;
import io.uowservice.bus.Messages;
import io.uowservice.bus.Problem;
import io.uowservice.bus.Replies;
import io.uowservice.bus.RequestHashes;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.EntityType;
import io.uowservice.metrics.Telemetry;
import io.uowservice.repository.Tables;
import io.uowservice.security.JwtSecurity;
import io.uowservice.security.RateLimitHandler;
import io.uowservice.security.RateLimiter;
import io.uowservice.security.Role;
import io.uowservice.security.SecurityAudit;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST edge: parses and checks requests, forwards them over the event bus to the unit-of-work
 * actors and repositories, and maps replies and failures to HTTP (problem JSON for every error).
 * Holds no state of its own, so any number of instances can serve; the live-update sockets an
 * instance accepts are kept by its {@link LiveUpdates}.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  private static final String API = "/api/v1";
  private static final Set<String> STATES = Set.of("new", "dirty", "deleted", "clean");
  private static final Pattern UNIT_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
  private static final String UNIT_HEADER = "X-Unit-Of-Work-Id";
  private static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  private static final int MAX_PAGE = 1000;
  private static final Function<JsonObject, Object> AS_IS = reply -> reply;

  private AppConfig config;
  private DeliveryOptions commitOptions;
  private HealthChecks health;
  private HttpServer server;
  private AccessControl access;
  private LiveUpdates liveUpdates;
  private RateLimiter rateLimiter;
  private ContractValidation contract;
  private io.vertx.core.buffer.Buffer contractDocument;
  private Router routes;
  private RateLimiter failedAuthentications;
  private ConnectionLimits connections;
  private final Instant startedAt = Instant.now();

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    commitOptions = new DeliveryOptions().setSendTimeout(config.units().commitReplyTimeout().toMillis());
    health = HealthChecks.create(vertx)
        .register("database", 5_000, p -> request(Addresses.TYPES, TypeActions.PING, new JsonObject())
            .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK()
                : Status.KO(new JsonObject().put("error", "database unreachable")))))
        .register("unit-of-work", 5_000, p -> request(Addresses.unitShard(0), UnitActions.STATS, new JsonObject())
            .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK() : Status.KO())))
        // dead letters need an admin, but the service is up: reported, not DOWN
        .register("outbox", 5_000, p -> request(Addresses.OUTBOX, Addresses.OutboxActions.COUNT_DEAD, new JsonObject())
            .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK(ar.result()) : Status.KO())));
    connections = ConnectionLimits.of(vertx);
    rateLimiter = RateLimiter.create(vertx, config);
    failedAuthentications = RateLimiter.failedAuthentication(vertx, config);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        // a connection with no traffic at all for this long is closed (live-update sockets get pings)
        .setIdleTimeout((int) config.http().idleTimeout().toSeconds())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
        // HTTP/1.1 only: with h2c detection a connection is not seen until its first request head has
        // arrived, so neither the connection limits nor the refusals before the body could hold
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(true))
        .invalidRequestHandler(HttpVerticle::invalidRequest)
        .connectionHandler(conn -> connections.admit(conn, config.http().maxConnections(),
            config.http().maxConnectionsPerClient()));
    // key files are read once here, off the event loop; the contract through the async file system
    return vertx.executeBlocking(() -> config.security().enabled() ? JwtSecurity.create(vertx, config.security()) : null)
        .compose(jwt -> {
          access = new AccessControl(jwt, Set.of(API + "/info", "/health", "/metrics", "/" + ContractValidation.RESOURCE),
              failedAuthentications, config.security().trustForwardedFor());
          return LiveUpdates.start(vertx, config);
        })
        .compose(live -> {
          liveUpdates = live;
          return rateLimiter.start();
        })
        .compose(v -> vertx.fileSystem().readFile(ContractValidation.RESOURCE))
        .compose(document -> {
          contractDocument = document;
          return ContractValidation.load(vertx, document);
        })
        .compose(validation -> {
          contract = validation;
          routes = router();
          return server.requestHandler(routes).listen();
        });
  }

  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store").putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.route().handler(cors());
    // /ws and /eventbus: before the BodyHandler, which neither an upgrade nor SockJS wants; the token
    // (header, or access_token query parameter for browsers) is checked before any upgrade
    RateLimitHandler rateLimit = new RateLimitHandler(rateLimiter, config.security().trustForwardedFor(),
        HttpVerticle::problem);
    liveUpdates.mount(router, access.liveUpdates(), rateLimit);
    // the token and the rate limit are checked before a byte of the body is read: the request waits
    // paused (in the socket's buffers, not ours), and a refused one is answered and its connection closed
    router.route().handler(ctx -> {
      ctx.request().pause();
      readDeadline(ctx);
      ctx.next();
    });
    router.route().handler(access::authenticate);
    // after authentication: the budget is per subject (per client IP for anonymous callers)
    router.route().handler(rateLimit);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    // each role check hands on to the request's validation against its operation in openapi.yaml
    Handler<RoutingContext> reader = access.requires(Role.READER, contract::validate);
    Handler<RoutingContext> writer = access.requires(Role.WRITER, contract::validate);
    Handler<RoutingContext> admin = access.requires(Role.ADMIN, contract::validate);

    router.post(API + "/units-of-work").handler(writer).handler(this::createUnit);
    router.get(API + "/units-of-work/:unitId").handler(reader)
        .handler(ctx -> unit(ctx, UnitActions.SUMMARY, byPath(ctx), 200));
    router.delete(API + "/units-of-work/:unitId").handler(writer)
        .handler(ctx -> unit(ctx, UnitActions.DISCARD, byPath(ctx), 204));
    unitRoutes(router, API + "/units-of-work/:unitId", this::byPath, reader, writer, admin);
    router.get(API + "/unit-of-work").handler(reader)
        .handler(ctx -> unit(ctx, UnitActions.SUMMARY, byHeader(ctx), 200));
    router.delete(API + "/unit-of-work").handler(writer)
        .handler(ctx -> unit(ctx, UnitActions.DISCARD, byHeader(ctx), 204));
    unitRoutes(router, API + "/unit-of-work", this::byHeader, reader, writer, admin);

    router.post(API + "/transactions").handler(writer).handler(this::transaction);

    router.get(API + "/entities/:type/count").handler(reader).handler(this::countEntities);
    router.get(API + "/entities/:type/:id").handler(reader).handler(this::getEntity);
    router.head(API + "/entities/:type/:id").handler(reader).handler(this::headEntity);
    router.get(API + "/entities/:type").handler(reader).handler(this::listEntities);

    for (String path : List.of(API + "/repositories", API + "/repositories/")) {
      router.post(path).handler(admin).handler(this::registerRepository);
      router.get(path).handler(reader).handler(ctx -> forward(ctx, Addresses.TYPES, TypeActions.LIST,
          new JsonObject(), 200, reply -> reply.getJsonArray("items")));
    }
    router.get(API + "/repositories/:type").handler(reader).handler(ctx -> forward(ctx, Addresses.TYPES,
        TypeActions.DESCRIBE, new JsonObject().put(Messages.TYPE, ctx.pathParam("type")), 200, AS_IS));

    router.get(API + "/outbox/dead-letters").handler(admin).handler(ctx -> forward(ctx, Addresses.OUTBOX,
        Addresses.OutboxActions.DEAD_LETTERS, new JsonObject(), 200, AS_IS));
    router.post(API + "/outbox/dead-letters/:seq/retry").handler(admin).handler(this::retryDeadLetter);
    router.get(API + "/stats").handler(reader).handler(this::stats);
    router.get(API + "/info").handler(this::info);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(Telemetry.registry()));
    router.get("/" + ContractValidation.RESOURCE).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(contractDocument));

    // a client that went away mid-request: nobody to answer, nothing to report
    router.route().failureHandler(ctx -> {
      if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException) {
        LOG.debug("{} {}: the client closed the connection", ctx.request().method(), ctx.request().path());
        return;
      }
      ctx.next();
    });
    router.errorHandler(404, ctx -> problem(ctx, Problem.notFound("no resource at " + ctx.request().path())));
    router.errorHandler(405, ctx -> problem(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> problem(ctx, Problem.of(413, "payload-too-large", "Payload too large",
        "the request body exceeds " + config.http().maxBodyBytes() + " bytes")));
    router.errorHandler(400, ctx -> problem(ctx, Problem.badRequest("the request is malformed")));
    router.errorHandler(500, ctx -> problem(ctx, Problem.from(ctx.failure() == null
        ? new IllegalStateException("failed with 500") : ctx.failure())));
    return router;
  }

  /**
   * CORS from {@code security.allowed_origins}. Credentials are never allowed: the API takes a Bearer
   * token from the Authorization header, so "*" is safe (no cookie rides along with a cross-site call).
   */
  private CorsHandler cors() {
    CorsHandler cors = CorsHandler.create().allowCredentials(false).maxAgeSeconds(600)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", UNIT_HEADER))
        .exposedHeaders(Set.of("ETag", "Location", "Idempotent-Replayed", "Retry-After", "RateLimit-Limit",
            "RateLimit-Remaining", "RateLimit-Reset"));
    List<String> origins = config.security().allowedOrigins();
    if (!origins.contains("*")) {
      cors.addOrigins(origins);
    }
    return cors;
  }

  // ---- units of work --------------------------------------------------------------------------

  /** The unit-scoped routes, mounted under both the id-addressed path and the seed's path. */
  private void unitRoutes(Router router, String base, Function<RoutingContext, UnitRef> ref,
      Handler<RoutingContext> reader, Handler<RoutingContext> writer, Handler<RoutingContext> admin) {
    router.post(base + "/entities/:state").handler(writer).handler(ctx -> {
      String state = ctx.pathParam("state");
      if (!STATES.contains(state)) {
        problem(ctx, Problem.notFound("no entity set '" + state + "'; use new, dirty, deleted or clean"));
        return;
      }
      JsonObject payload = jsonBody(ctx);
      if (payload != null) {
        unit(ctx, UnitActions.REGISTER, ref.apply(ctx), new JsonObject().put(Messages.STATE, state)
            .put(Messages.PAYLOAD, payload), "new".equals(state) ? 201 : 200, AS_IS);
      }
    });
    router.get(base + "/entities").handler(reader).handler(ctx -> unit(ctx, UnitActions.ENTITIES, ref.apply(ctx), 200));
    router.get(base + "/entities/:state").handler(reader).handler(ctx -> {
      String state = ctx.pathParam("state");
      if (!STATES.contains(state)) {
        problem(ctx, Problem.notFound("no entity set '" + state + "'; use new, dirty, deleted or clean"));
        return;
      }
      unit(ctx, UnitActions.ENTITIES, ref.apply(ctx), new JsonObject().put(Messages.STATE, state), 200,
          r -> r.getJsonArray("items"));
    });
    router.delete(base + "/entities").handler(admin).handler(ctx -> unit(ctx, UnitActions.CLEAR, ref.apply(ctx), 204));
    router.post(base + "/commit").handler(writer).handler(ctx -> {
      UnitRef unit = ref.apply(ctx);
      JsonObject body = new JsonObject();
      if (idempotency(ctx, body, RequestHashes.commit(unit.unitId()))) {
        unit(ctx, UnitActions.COMMIT, unit, body, 200, AS_IS);
      }
    });
    router.post(base + "/rollback").handler(writer).handler(ctx -> {
      JsonObject body = new JsonObject();
      if (!ctx.body().isEmpty()) {
        JsonObject payload = jsonBody(ctx);
        if (payload == null) {
          return;
        }
        body.put(Messages.TO_SAVEPOINT, payload.getValue("to_savepoint"));
      }
      unit(ctx, UnitActions.ROLLBACK, ref.apply(ctx), body, 200, AS_IS);
    });
    router.post(base + "/savepoints").handler(writer).handler(ctx -> {
      JsonObject payload = jsonBody(ctx);
      if (payload != null) {
        unit(ctx, UnitActions.SAVEPOINT, ref.apply(ctx), new JsonObject().put(Messages.NAME, payload.getValue("name")),
            201, AS_IS);
      }
    });
    router.get(base + "/savepoints").handler(reader).handler(ctx -> unit(ctx, UnitActions.SAVEPOINTS, ref.apply(ctx),
        new JsonObject(), 200, reply -> reply.getJsonArray("items")));
  }

  /** Which unit a request names: an id, or (null) the subject's default unit. */
  private record UnitRef(String unitId, Problem invalid) {
  }

  private UnitRef byPath(RoutingContext ctx) {
    return unitRef(ctx.pathParam("unitId"));
  }

  private UnitRef byHeader(RoutingContext ctx) {
    String header = ctx.request().getHeader(UNIT_HEADER);
    return header == null ? new UnitRef(null, null) : unitRef(header.trim());
  }

  private static UnitRef unitRef(String id) {
    if (id == null || !UNIT_ID.matcher(id).matches()) {
      return new UnitRef(null, Problem.notFound("unit of work " + id + " does not exist"));
    }
    return new UnitRef(id, null);
  }

  private void createUnit(RoutingContext ctx) {
    String subject = subject(ctx);
    String address = Addresses.unitShard(Addresses.shardOf(subject + ":" + System.nanoTime(),
        config.units().shards()));
    request(address, UnitActions.CREATE, new JsonObject().put(Messages.SUBJECT, subject)).onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
        return;
      }
      JsonObject unit = ar.result();
      ctx.response().putHeader(HttpHeaders.LOCATION, API + "/units-of-work/" + unit.getString("id"));
      json(ctx, 201, unit);
    });
  }

  private void unit(RoutingContext ctx, String action, UnitRef ref, int status) {
    unit(ctx, action, ref, new JsonObject(), status, AS_IS);
  }

  private void unit(RoutingContext ctx, String action, UnitRef ref, JsonObject body, int status,
      Function<JsonObject, Object> view) {
    if (ref.invalid() != null) {
      problem(ctx, ref.invalid());
      return;
    }
    String subject = subject(ctx);
    body.put(Messages.SUBJECT, subject).put(Messages.UNIT_ID, ref.unitId());
    String routingKey = ref.unitId() != null ? ref.unitId() : subject;
    String address = Addresses.unitShard(Addresses.shardOf(routingKey, config.units().shards()));
    respond(ctx, exchange(address, action, body), status, view);
  }

  /** One-round-trip atomic batch: the operations become one unit, committed in one transaction. */
  private void transaction(RoutingContext ctx) {
    JsonObject payload = jsonBody(ctx);
    if (payload == null) {
      return;
    }
    String subject = subject(ctx);
    JsonObject body = new JsonObject().put(Messages.SUBJECT, subject)
        .put(Messages.OPERATIONS, payload.getValue("operations"));
    if (!idempotency(ctx, body, RequestHashes.transaction(payload))) {
      return;
    }
    // one key's retries go to one actor; other transactions spread over all of them
    String key = body.getString(Messages.IDEMPOTENCY_KEY);
    String routing = key != null ? subject + "\n" + key : subject + ":" + System.nanoTime();
    respond(ctx, exchange(Addresses.unitShard(Addresses.shardOf(routing, config.units().shards())),
        UnitActions.TRANSACT, body), 200, AS_IS);
  }

  /**
   * Copies a valid {@code Idempotency-Key} header and the hash of the request it guards into the
   * message; answers 400 and returns false for a malformed key.
   */
  private static boolean idempotency(RoutingContext ctx, JsonObject message, String requestHash) {
    String key = ctx.request().getHeader(IDEMPOTENCY_HEADER);
    if (key == null) {
      return true;
    }
    if (!Messages.IDEMPOTENCY_KEY_FORMAT.matcher(key).matches()) {
      problem(ctx, Problem.badRequest(IDEMPOTENCY_HEADER + " must be 1-255 printable ASCII characters"));
      return false;
    }
    message.put(Messages.IDEMPOTENCY_KEY, key).put(Messages.REQUEST_HASH, requestHash);
    return true;
  }

  // ---- committed data -------------------------------------------------------------------------

  private void getEntity(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!validType(ctx, type)) {
      return;
    }
    request(Addresses.repository(Tables.repositoryOf(type)), RepositoryActions.GET,
        new JsonObject().put(Messages.TYPE, type).put(Messages.ID, ctx.pathParam("id"))).onComplete(ar -> {
          if (ar.failed()) {
            problem(ctx, Problem.from(ar.cause()));
            return;
          }
          ctx.response().putHeader(HttpHeaders.ETAG, "\"" + ar.result().getLong("version") + "\"");
          json(ctx, 200, ar.result());
        });
  }

  private void retryDeadLetter(RoutingContext ctx) {
    long seq;
    try {
      seq = Long.parseLong(ctx.pathParam("seq"));
    } catch (NumberFormatException e) {
      problem(ctx, Problem.notFound("no dead letter " + ctx.pathParam("seq")));
      return;
    }
    forward(ctx, Addresses.OUTBOX, Addresses.OutboxActions.RETRY, new JsonObject().put(Messages.ID, seq), 200, AS_IS);
  }

  private void headEntity(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!EntityType.isValidName(type)) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    request(Addresses.repository(Tables.repositoryOf(type)), RepositoryActions.EXISTS,
        new JsonObject().put(Messages.TYPE, type).put(Messages.ID, ctx.pathParam("id"))).onComplete(ar -> {
          int status = ar.succeeded() ? (ar.result().getBoolean("exists") ? 200 : 404)
              : Problem.from(ar.cause()).status();
          ctx.response().setStatusCode(status).end();
        });
  }

  private void listEntities(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!validType(ctx, type)) {
      return;
    }
    Integer limit = limit(ctx);
    if (limit == null) {
      return;
    }
    JsonObject body = new JsonObject().put(Messages.TYPE, type).put(Messages.FILTERS, filters(ctx))
        .put(Messages.LIMIT, limit).put(Messages.AFTER, ctx.request().getParam("after"));
    forward(ctx, Addresses.repository(Tables.repositoryOf(type)), RepositoryActions.LIST, body, 200,
        AS_IS);
  }

  private void countEntities(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!validType(ctx, type)) {
      return;
    }
    JsonObject body = new JsonObject().put(Messages.TYPE, type).put(Messages.FILTERS, filters(ctx));
    forward(ctx, Addresses.repository(Tables.repositoryOf(type)), RepositoryActions.COUNT, body, 200,
        AS_IS);
  }

  private boolean validType(RoutingContext ctx, String type) {
    if (EntityType.isValidName(type)) {
      return true;
    }
    problem(ctx, Problem.notFound("unknown entity type '" + type + "'"));
    return false;
  }

  private Integer limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problem(ctx, Problem.badRequest("limit must be an integer from 1 to " + MAX_PAGE + ", got '" + raw + "'"));
    return null;
  }

  private static JsonObject filters(RoutingContext ctx) {
    JsonObject filters = new JsonObject();
    ctx.queryParams().forEach(e -> {
      if (!e.getKey().equals("limit") && !e.getKey().equals("after") && !filters.containsKey(e.getKey())) {
        filters.put(e.getKey(), e.getValue());
      }
    });
    return filters;
  }

  // ---- repositories, stats, info, health -------------------------------------------------------

  private void registerRepository(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    request(Addresses.TYPES, TypeActions.REGISTER, body).onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
        return;
      }
      ctx.response().putHeader(HttpHeaders.LOCATION, API + "/repositories/" + ar.result().getString("entity_type"));
      json(ctx, 201, ar.result());
    });
  }

  private void stats(RoutingContext ctx) {
    List<Future<JsonObject>> shards = new ArrayList<>();
    for (int i = 0; i < config.units().shards(); i++) {
      shards.add(request(Addresses.unitShard(i), UnitActions.STATS, new JsonObject()));
    }
    Future<JsonObject> live = request(Addresses.LIVE_STATS, "stats", new JsonObject());
    Future.all(shards).compose(all -> live.map(liveUpdates -> {
      JsonObject total = new JsonObject();
      for (int i = 0; i < all.size(); i++) {
        sum(total, all.resultAt(i));
      }
      SecurityAudit audit = SecurityAudit.of(vertx);
      return total.put("shards", all.size()).put("live_updates", liveUpdates)
          .put("denied", audit.deniedJson())
          .put("rate_limiter", new JsonObject().put("store", config.cache().type())
              .put("fail_open", audit.rateLimiterFailOpenCount()));
    })).onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
      } else {
        json(ctx, 200, ar.result());
      }
    });
  }

  /** Adds numeric leaves of {@code add} into {@code into}, recursively. */
  private static void sum(JsonObject into, JsonObject add) {
    add.forEach(e -> {
      if (e.getValue() instanceof JsonObject nested) {
        JsonObject target = into.getJsonObject(e.getKey());
        if (target == null) {
          target = new JsonObject();
          into.put(e.getKey(), target);
        }
        sum(target, nested);
      } else if (e.getValue() instanceof Number n) {
        into.put(e.getKey(), into.getLong(e.getKey(), 0L) + n.longValue());
      }
    });
  }

  private void info(RoutingContext ctx) {
    json(ctx, 200, new JsonObject()
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
        .put("uptime_seconds", java.time.Duration.between(startedAt, Instant.now()).toSeconds()));
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
      json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private static String subject(RoutingContext ctx) {
    return AccessControl.subject(ctx);
  }

  private Future<JsonObject> request(String address, String action, JsonObject body) {
    return exchange(address, action, body).map(Message::body);
  }

  private Future<Message<JsonObject>> exchange(String address, String action, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions(commitOptions).addHeader(Addresses.ACTION, action);
    Future<Message<JsonObject>> reply = vertx.eventBus().request(address, body, options);
    return action.equals(UnitActions.COMMIT) || action.equals(UnitActions.TRANSACT)
        ? Replies.outcomeUnknownOnTimeout(reply) : reply;
  }

  private void forward(RoutingContext ctx, String address, String action, JsonObject body, int status,
      Function<JsonObject, Object> view) {
    respond(ctx, exchange(address, action, body), status, view);
  }

  private void respond(RoutingContext ctx, Future<Message<JsonObject>> reply, int status,
      Function<JsonObject, Object> view) {
    reply.onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
      } else if (status == 204) {
        ctx.response().setStatusCode(204).end();
      } else {
        if ("true".equals(ar.result().headers().get(Replies.REPLAYED))) {
          ctx.response().putHeader("Idempotent-Replayed", "true");
        }
        Object out = view.apply(ar.result().body());
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(out instanceof JsonArray a ? a.toBuffer() : ((JsonObject) out).toBuffer());
      }
    });
  }

  /** The request body as a JSON object, or null after answering 400. */
  private static JsonObject jsonBody(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      problem(ctx, Problem.badRequest("a JSON object body is required"));
      return null;
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(text);
      if (parsed instanceof JsonObject obj) {
        return obj;
      }
      problem(ctx, Problem.badRequest("the body must be a JSON object"));
    } catch (DecodeException e) {
      problem(ctx, Problem.badRequest("the body is not valid JSON"));
    }
    return null;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  /** Requests the HTTP decoder refused (over-long request line or headers, bad syntax): problem JSON too. */
  private static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem = cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
        ? Problem.of(431, "header-fields-too-large", "Request header fields too large", "the request headers are too large")
        : cause instanceof io.netty.handler.codec.http.TooLongHttpLineException
            ? Problem.of(414, "uri-too-long", "URI too long", "the request line is too long")
            : Problem.badRequest("the request is not valid HTTP");
    // the connection's framing may be lost: answer once, then close it
    request.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .putHeader(HttpHeaders.CONNECTION, "close").end(problem.toJson().toBuffer())
        .onComplete(ar -> request.connection().close());
  }

  /**
   * A request whose body has not fully arrived {@code http.read_timeout} after its head is answered
   * 408 and its connection closed: a client sending a byte now and then cannot hold a connection
   * and a buffer forever.
   */
  private void readDeadline(RoutingContext ctx) {
    long timer = vertx.setTimer(config.http().readTimeout().toMillis(), id -> {
      if (!ctx.request().isEnded() && !ctx.response().ended()) {
        problem(ctx, Problem.of(408, "request-timeout", "Request timeout", "the request did not arrive within "
            + config.http().readTimeout().toSeconds() + " s"));
      }
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
  }

  static void problem(RoutingContext ctx, Problem problem) {
    if (ctx.response().ended()) {
      return;
    }
    // HTTP/1.x only: an HTTP/2 stream ends with its response, and the connection carries other streams
    boolean unread = !ctx.request().isEnded() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2;
    if (unread) {
      // answered before its body was read: the connection is closed, the rest never read
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (problem.status() >= 500) {
      LOG.warn("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), problem.status(), problem.detail());
    } else if (SecurityAudit.isDenial(problem.status())) {
      SecurityAudit.of(ctx.vertx()).denied(ctx, problem.status(), problem.slug());
    }
    // clipped: a hostile path or field name is not echoed back in full
    JsonObject body = problem.toJson().put("instance", clip(ctx.request().path(), 256));
    body.put("detail", clip(body.getString("detail"), 512));
    if (problem.status() == 503 && !ctx.response().headers().contains(HttpHeaders.RETRY_AFTER)) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    ctx.response().setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .end(body.toBuffer())
        .onComplete(ar -> {
          if (unread && ctx.request().connection() != null) {
            ctx.request().connection().close();
          }
        });
  }

  /** For the drift test: what this instance serves, and the contract it validates against. */
  Router routes() {
    return routes;
  }

  ContractValidation contract() {
    return contract;
  }

  static String clip(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max) + "...";
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> rateLimiter == null ? Future.succeededFuture() : rateLimiter.close())
        .eventually(() -> failedAuthentications == null ? Future.succeededFuture() : failedAuthentications.close());
  }
}
