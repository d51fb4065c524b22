package io.uowservice.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.uowservice.api.Problem;
import io.uowservice.bridge.LiveUpdates;
import io.uowservice.bus.ServiceClient;
import io.uowservice.config.AppConfig;
import io.uowservice.security.JwtSecurity;
import io.uowservice.security.RateLimitHandler;
import io.uowservice.security.RateLimiter;
import io.uowservice.security.Role;
import io.uowservice.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST edge: the server, its limits, CORS, authentication, rate limiting and validation in
 * front of every route; the routes themselves by resource ({@link UnitRoutes}, {@link EntityRoutes},
 * {@link OperationRoutes}) and the live-update endpoints ({@link LiveUpdates}). Holds no state of
 * its own, so any number of instances can serve; every call goes over the bus ({@link ServiceClient}).
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  static final String API = "/api/v1";

  private AppConfig config;
  private ServiceClient bus;
  private HttpServer server;
  private AccessControl access;
  private LiveUpdates liveUpdates;
  private RateLimiter rateLimiter;
  private ContractValidation contract;
  private Buffer contractDocument;
  private Router routes;
  private RateLimiter failedAuthentications;
  private ConnectionLimits connections;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    bus = new ServiceClient(vertx, config.units().shards(), config.units().commitReplyTimeout());
    connections = ConnectionLimits.of(vertx);
    rateLimiter = RateLimiter.create(vertx, config);
    failedAuthentications = RateLimiter.failedAuthentication(vertx, config);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        // a connection with no traffic at all for this long is closed (live-update sockets get pings)
        .setIdleTimeout((int) config.http().idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // HTTP/1.1 only: with h2c detection a connection is not seen until its first request head has
        // arrived, so neither the connection limits nor the refusals before the body could hold
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(true)
        // what a live client may send: SockJS over WebSocket; /ws ignores what it gets
        .setMaxWebSocketMessageSize(config.liveUpdates().maxInboundBytes())
        .setMaxWebSocketFrameSize(Math.min(65_536, config.liveUpdates().maxInboundBytes()))
        // the one form the service reads: a SockJS JSONP send (d=<frames>), up to what a live client may send
        .setMaxFormAttributeSize(Math.max(8192, config.liveUpdates().maxInboundBytes())))
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
        .compose(v -> vertx.executeBlocking(() -> io.vertx.core.buffer.Buffer.buffer(
            io.uowservice.config.ClasspathResources.bytes(ContractValidation.RESOURCE))))
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
      try {
        ctx.request().params(); // decoded once here: a bad escape is the client's mistake, not a 500 later
      } catch (IllegalArgumentException e) {
        Responses.problem(ctx, Problem.badRequest("the query string is not valid percent-encoding"));
        return;
      }
      ctx.next();
    });
    CorsHandler apiCors = cors(false);
    CorsHandler eventBusCors = cors(true);
    router.route().handler(ctx -> (LiveUpdates.isEventBus(ctx.normalizedPath()) ? eventBusCors : apiCors).handle(ctx));
    // /ws and /eventbus: before the API's BodyHandler; the token (header, or access_token query
    // parameter for browsers) is checked before any upgrade
    RateLimitHandler rateLimit = new RateLimitHandler(rateLimiter, config.security().trustForwardedFor(),
        Responses::problem);
    liveUpdates.mount(router, access.liveUpdates(), rateLimit, this::holdBody);
    // the token and the rate limit are checked before a byte of the body is read: the request waits
    // paused (in the socket's buffers, not ours), and a refused one is answered and its connection closed
    router.route().handler(this::holdBody);
    router.route().handler(access::authenticate);
    // after authentication: the budget is per subject (per client IP for anonymous callers)
    router.route().handler(rateLimit);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    // each role check hands on to the request's validation against its operation in openapi.yaml
    Guards guards = new Guards(access.requires(Role.READER, contract::validate),
        access.requires(Role.WRITER, contract::validate), access.requires(Role.ADMIN, contract::validate));
    new UnitRoutes(bus.units(), guards).mount(router);
    new EntityRoutes(bus.entities(), guards).mount(router);
    new OperationRoutes(vertx, bus, config, guards, contractDocument).mount(router);

    // a client that went away mid-request: nobody to answer, nothing to report
    router.route().failureHandler(ctx -> {
      if (ctx.failure() instanceof HttpClosedException) {
        LOG.debug("{} {}: the client closed the connection", ctx.request().method(), ctx.request().path());
        return;
      }
      ctx.next();
    });
    router.errorHandler(404, ctx -> Responses.problem(ctx, Problem.notFound("no resource at " + ctx.request().path())));
    router.errorHandler(405, ctx -> Responses.problem(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> Responses.problem(ctx, Problem.of(413, "payload-too-large", "Payload too large",
        "the request body exceeds " + config.http().maxBodyBytes() + " bytes")));
    // the one failure with 403: a CORS request from an origin not in security.allowed_origins
    router.errorHandler(403, ctx -> Responses.problem(ctx, Problem.of(403, "origin-not-allowed", "Origin not allowed",
        "the request's Origin is not in security.allowed_origins")));
    router.errorHandler(400, ctx -> Responses.problem(ctx, Problem.badRequest("the request is malformed")));
    router.errorHandler(500, ctx -> Responses.problem(ctx, Problem.from(ctx.failure() == null
        ? new IllegalStateException("failed with 500") : ctx.failure())));
    return router;
  }

  /**
   * CORS from {@code security.allowed_origins}. The API never allows credentials: it takes a Bearer
   * token from the Authorization header, so "*" is safe (no cookie rides along with a cross-site call).
   * The SockJS bridge ({@code withCredentials}) must: its client sends every XHR with credentials, and
   * a browser refuses "*" for those, so an allowed origin is echoed with credentials allowed. That is
   * safe for the same reason: the service authenticates no request by cookie (the token is in the
   * access_token parameter or the Authorization header), so a credentialed call carries nothing a
   * caller without the token could use.
   */
  private CorsHandler cors(boolean eventBus) {
    CorsHandler cors = CorsHandler.create().allowCredentials(eventBus).maxAgeSeconds(600);
    if (eventBus) {
      cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Authorization", "Content-Type"));
    } else {
      cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Authorization", "Content-Type", Requests.IDEMPOTENCY_HEADER, UnitRoutes.UNIT_HEADER))
          .exposedHeaders(Set.of("ETag", "Location", "Idempotent-Replayed", "Retry-After", "RateLimit-Limit",
              "RateLimit-Remaining", "RateLimit-Reset"));
    }
    List<String> origins = config.security().allowedOrigins();
    if (!origins.contains("*")) {
      cors.addOrigins(origins);
    }
    return cors;
  }

  /** Pauses the request until its body is read, which must arrive within {@code http.read_timeout}. */
  private void holdBody(RoutingContext ctx) {
    ctx.request().pause();
    readDeadline(ctx);
    ctx.next();
  }

  /** Requests the HTTP decoder refused (over-long request line or headers, bad syntax): problem JSON too. */
  private static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem = cause instanceof TooLongHttpHeaderException
        ? Problem.of(431, "header-fields-too-large", "Request header fields too large", "the request headers are too large")
        : cause instanceof TooLongHttpLineException
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
   * and a buffer forever. A request without a body has arrived with its head: however long its
   * answer takes (a unit on a node that just died: up to the send timeout), it is no 408.
   */
  private void readDeadline(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || "0".equals(length.trim()))) {
      return;
    }
    long timer = vertx.setTimer(config.http().readTimeout().toMillis(), id -> {
      if (!ctx.request().isEnded() && !ctx.response().ended()) {
        Responses.problem(ctx, Problem.of(408, "request-timeout", "Request timeout", "the request did not arrive within "
            + config.http().readTimeout().toSeconds() + " s"));
      }
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
  }

  /** For the drift test: what this instance serves, and the contract it validates against. */
  Router routes() {
    return routes;
  }

  ContractValidation contract() {
    return contract;
  }

  /** The port it listens on (for tests that ask for any free one). */
  int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> rateLimiter == null ? Future.succeededFuture() : rateLimiter.close())
        .eventually(() -> failedAuthentications == null ? Future.succeededFuture() : failedAuthentications.close());
  }
}
