package io.uowservice.bridge;

import io.uowservice.bus.Addresses;
import io.uowservice.api.Problem;
import io.uowservice.web.Responses;
import io.uowservice.security.SecurityAudit;
import io.uowservice.config.AppConfig;
import io.uowservice.events.DomainEvents;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live-update routes of ONE HTTP verticle instance: {@code GET /ws} (domain events as JSON text
 * frames, optionally filtered by {@code ?types=}) and the SockJS event-bus bridge under {@code /eventbus}
 * (outbound {@code uow.events} and {@code uow.progress.<unit id>}; nothing inbound). The instances share
 * the port, and a socket lives on the event loop of the instance that accepted it, so each instance
 * keeps its own WebSocket clients, touched only on that event loop (no locks).
 *
 * <p>Slow clients: a client's unsent frames are bounded by {@code live_updates.max_queued_bytes} (a
 * {@link SendQueue} per client). A client past it is disconnected (close code 1008) rather than
 * served with gaps: a client that silently misses events is worse off than one that knows to
 * reconnect and re-read. Either way a commit never waits for a client and memory per client stays
 * bounded.
 */
public final class LiveUpdates {

  public static final String WS_PATH = "/ws";
  public static final String EVENTBUS_PATH = "/eventbus";

  /** What {@code ?types=} may name. */
  static final Set<String> EVENT_TYPES = new TreeSet<>(List.of(DomainEvents.ENTITY_CREATED,
      DomainEvents.ENTITY_UPDATED, DomainEvents.ENTITY_DELETED, DomainEvents.UNIT_COMMITTED,
      DomainEvents.UNIT_ROLLED_BACK));

  private static final Logger LOG = LoggerFactory.getLogger(LiveUpdates.class);
  private static final short POLICY_VIOLATION = 1008;

  private static final long PING_EVERY_MS = 30_000;
  private final Vertx vertx;
  private final int maxQueuedBytes;
  private final AppConfig.LiveUpdates limits;
  private final LiveUpdateStats stats;
  private final Set<Client> clients = new LinkedHashSet<>();
  // SockJS sockets are known only through bridge events; concurrent because the HTTP transports of a
  // session may be served by other instances' event loops
  private final Map<SockJSSocket, SendQueue> sockJsQueues = new ConcurrentHashMap<>();
  private final Map<SockJSSocket, String> sockJsSubjects = new ConcurrentHashMap<>();
  // session id -> subject of the sessions the HTTP transports serve; shared by every instance because
  // the SockJS sessions are (a session's requests may reach any instance's router)
  private final LocalMap<String, String> sessionOwners;

  /** One WebSocket client; {@code types} null = every event. */
  private record Client(ServerWebSocket ws, Set<String> types, SendQueue queue, String subject) {

    boolean wants(String type) {
      return types == null || types.contains(type);
    }
  }

  private LiveUpdates(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.maxQueuedBytes = config.liveUpdates().maxQueuedBytes();
    this.limits = config.liveUpdates();
    this.stats = LiveUpdateStats.of(vertx);
    this.sessionOwners = vertx.sharedData().getLocalMap("uow.bridge.session-owners");
  }

  /**
   * Call from the HTTP verticle's start: the frame consumer must be registered on its context so frames
   * arrive on the event loop its sockets live on (and it goes away when that verticle is undeployed).
   */
  public static Future<LiveUpdates> start(Vertx vertx, AppConfig config) {
    LiveUpdates live = new LiveUpdates(vertx, config);
    // a ping now and then: an idle stream is not an idle connection (http.idle_timeout), and a peer
    // gone without a close is found out
    vertx.setPeriodic(PING_EVERY_MS, id -> live.ping());
    return vertx.eventBus().<String>localConsumer(Addresses.LIVE_FRAMES, live::fanOut).completion().map(live);
  }

  /** The authorisation of live updates until authentication lands: everyone, as {@code anonymous}. */
  public static final Handler<RoutingContext> ANONYMOUS = RoutingContext::next;

  /** Whether {@code path} is served by the SockJS bridge (which has its own CORS rules). */
  public static boolean isEventBus(String path) {
    return path != null && (path.equals(EVENTBUS_PATH) || path.startsWith(EVENTBUS_PATH + "/"));
  }

  /**
   * Installs the routes. Mount them before any other BodyHandler: a WebSocket upgrade has no body, and
   * the SockJS HTTP sends get their own, bounded by {@code live_updates.max_inbound_bytes}.
   *
   * @param authorize THE place where a live-update connection is authorised: it runs before every /ws
   *     upgrade and every /eventbus request (SockJS info, handshake, transports) and either calls
   *     {@code next()} or answers itself (401 problem, before any upgrade). With authentication it
   *     takes the Bearer token from the Authorization header or the {@code access_token} query
   *     parameter (browsers cannot set headers on a WebSocket), and never logs the query string.
   */
  public void mount(Router router, Handler<RoutingContext> authorize) {
    mount(router, authorize, RoutingContext::next, RoutingContext::next);
  }

  /**
   * As {@link #mount(Router, Handler)}, with {@code rateLimit} run after authorisation on every live
   * request, and {@code holdBody} first on every SockJS POST: it pauses the request (authorisation may
   * be asynchronous, and the body must wait in the socket until it is read) and bounds how long the
   * body may take to arrive.
   */
  public void mount(Router router, Handler<RoutingContext> authorize, Handler<RoutingContext> rateLimit,
      Handler<RoutingContext> holdBody) {
    router.route(WS_PATH).handler(authorize).handler(rateLimit);
    router.get(WS_PATH).handler(this::upgrade);
    String eventBus = EVENTBUS_PATH + "/*";
    // (method checks inside rather than method routes: the bridge is not an operation of openapi.yaml)
    router.route(eventBus).handler(ctx -> onPost(ctx, holdBody)).handler(authorize).handler(rateLimit);
    // xhr_send and jsonp_send carry the client's frames in the body (the other transports have none)
    // (a JSONP send is a form of one field: http's max form attribute size is max_inbound_bytes)
    BodyHandler frames = BodyHandler.create(false).setBodyLimit(limits.maxInboundBytes());
    router.route(eventBus).handler(ctx -> onPost(ctx, frames)).failureHandler(this::tooLarge);
    router.route(eventBus).handler(this::checkSockJsRequest);
    router.route(eventBus).subRouter(sockJsBridge());
  }

  // ---- /ws ------------------------------------------------------------------------------------

  private void upgrade(RoutingContext ctx) {
    Set<String> types;
    try {
      types = types(ctx.queryParam("types"));
    } catch (IllegalArgumentException e) {
      // refused before the upgrade: a typo would otherwise look like a quiet stream
      Responses.problem(ctx, Problem.badRequest(e.getMessage()));
      return;
    }
    String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.response().putHeader(HttpHeaders.UPGRADE, "websocket");
      Responses.problem(ctx, Problem.of(426, "upgrade-required", "Upgrade required",
          WS_PATH + " is a WebSocket endpoint: connect with a WebSocket client"));
      return;
    }
    String who = subjectOf(ctx);
    switch (stats.admit(who, limits.maxClients(), limits.maxClientsPerSubject())) {
      case NODE_FULL -> {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
        Responses.problem(ctx, Problem.of(503, "unavailable", "Service unavailable", "this node serves its limit of "
            + limits.maxClients() + " live-update clients (live_updates.max_clients); retry later"));
        return;
      }
      case SUBJECT_FULL -> {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
        Responses.problem(ctx, Problem.of(429, "too-many-clients", "Too many live-update clients", "a subject may have "
            + limits.maxClientsPerSubject() + " live-update clients on a node (live_updates.max_clients_per_subject)"));
        return;
      }
      case ADMITTED -> {
        // connected below
      }
    }
    ctx.request().toWebSocket()
        .onSuccess(ws -> accept(ws, types, who))
        .onFailure(err -> {
          stats.leave(who);
          LOG.debug("WebSocket upgrade of {} failed: {}", WS_PATH, err.getMessage());
        });
  }

  /** The {@code ?types=} filter: null for none; every name must be an event type. */
  static Set<String> types(List<String> params) {
    if (params.isEmpty()) {
      return null;
    }
    Set<String> types = new TreeSet<>();
    params.forEach(p -> Arrays.stream(p.split(",")).map(String::trim).filter(t -> !t.isEmpty())
        .forEach(types::add));
    Set<String> unknown = new TreeSet<>(types);
    unknown.removeAll(EVENT_TYPES);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown event type" + (unknown.size() == 1 ? " " : "s ")
          + String.join(", ", unknown) + " in types; known: " + String.join(", ", EVENT_TYPES));
    }
    if (types.isEmpty()) {
      throw new IllegalArgumentException("types must name at least one of " + String.join(", ", EVENT_TYPES));
    }
    return Set.copyOf(types);
  }

  private void accept(ServerWebSocket ws, Set<String> types, String subject) {
    Client client = new Client(ws, types, new SendQueue(maxQueuedBytes, stats.queuedBytes,
        limits.maxTotalQueuedBytes()), subject);
    clients.add(client);
    stats.webSocketClients.increment();
    ws.closeHandler(v -> forget(client));
    ws.exceptionHandler(err -> LOG.debug("live client {}: {}", ws.remoteAddress(), err.getMessage()));
    // outbound only: whatever a client sends is ignored (no message handler)
  }

  private void fanOut(Message<String> frame) {
    String type = frame.headers().get(BridgeVerticle.TYPE_HEADER);
    String text = frame.body();
    Iterator<Client> it = clients.iterator();
    while (it.hasNext()) {
      Client client = it.next();
      if (client.ws().isClosed()) {
        // closed by the peer, its close handler not run yet: nothing more to write to it
        it.remove();
        stats.webSocketClients.decrement();
        stats.leave(client.subject());
        continue;
      }
      if (!client.wants(type)) {
        continue;
      }
      if (client.queue().offer(text.length(), () -> client.ws().writeTextMessage(text)) == SendQueue.Outcome.SENT) {
        stats.framesSent.increment();
      } else {
        it.remove();
        stats.webSocketClients.decrement();
        stats.leave(client.subject());
        tooSlow(client.ws().remoteAddress(), () -> client.ws().close(POLICY_VIOLATION, tooSlowReason()));
      }
    }
  }

  private void forget(Client client) {
    if (clients.remove(client)) {
      stats.webSocketClients.decrement();
      stats.leave(client.subject());
    }
  }

  private void ping() {
    for (Client client : clients) {
      if (!client.ws().isClosed()) {
        client.ws().writePing(Buffer.buffer());
      }
    }
  }

  // ---- /eventbus (SockJS) ---------------------------------------------------------------------

  private static final long SESSION_TIMEOUT_MS = 20_000;

  private Router sockJsBridge() {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.EVENTS))
        .addOutboundPermitted(new PermittedOptions()
            .setAddressRegex(Pattern.quote(Addresses.progress("")) + ".+"))
        .setMaxHandlersPerSocket(limits.maxSubscriptionsPerClient());
    // no inbound permitted: every send or publish is answered with an access_denied error frame, so
    // a browser can never reach a unit-of-work actor or any other service address
    // an HTTP-transport session lives this long without a request from its client (SockJS's 5 s
    // default lost sessions of a polling browser whose next poll came late on a loaded machine)
    return SockJSHandler.create(vertx, new SockJSHandlerOptions().setSessionTimeout(SESSION_TIMEOUT_MS))
        .bridge(options, this::onBridgeEvent);
  }

  /**
   * Before the SockJS handler: a transport request for a session another subject opened is refused (it
   * would take that session's frames), and a malformed request of the protocol gets a 4xx problem
   * rather than the handler's 500 ({@link SockJsRequests}).
   */
  private void checkSockJsRequest(RoutingContext ctx) {
    Optional<SockJsRequests.SessionRequest> request = SockJsRequests.sessionRequest(ctx.normalizedPath());
    if (request.isEmpty()) {
      Problem problem = SockJsRequests.isRawWebSocket(ctx.normalizedPath()) ? SockJsRequests.webSocketProblem(ctx)
          : null;
      if (problem != null) {
        Responses.problem(ctx, problem);
      } else {
        ctx.next();
      }
      return;
    }
    String owner = sessionOwners.get(request.get().session());
    if (owner != null && !owner.equals(subjectOf(ctx))) {
      Responses.problem(ctx, Problem.of(403, "forbidden", "Forbidden",
          "this SockJS session was opened by another subject"));
      return;
    }
    if (owner == null && request.get().transport().endsWith("_send") && ctx.request().method() == HttpMethod.POST) {
      // what the SockJS handler would answer with an empty 404
      Responses.problem(ctx, Problem.notFound("no SockJS session " + request.get().session()
          + ": open one with a receiving transport first"));
      return;
    }
    Problem problem = SockJsRequests.problemWith(ctx, request.get());
    if (problem != null) {
      Responses.problem(ctx, problem);
      return;
    }
    if (SockJsRequests.closesItsConnection(request.get())) {
      // the SockJS handler closes the connection when it ends such a response; saying so keeps a client
      // from sending its next request on that connection (a browser's next poll failed that way)
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.next();
  }

  private static void onPost(RoutingContext ctx, Handler<RoutingContext> handler) {
    if (ctx.request().method() == HttpMethod.POST) {
      handler.handle(ctx);
    } else {
      ctx.next();
    }
  }

  private void tooLarge(RoutingContext ctx) {
    if (ctx.statusCode() != 413) {
      ctx.next();
      return;
    }
    Responses.problem(ctx, Problem.of(413, "payload-too-large", "Payload too large", "a SockJS send may carry "
        + limits.maxInboundBytes() + " bytes (live_updates.max_inbound_bytes)"));
  }

  private void onBridgeEvent(BridgeEvent event) {
    switch (event.type()) {
      case SOCKET_CREATED -> {
        // SockJS sessions count like /ws clients: against the node and against their subject
        String subject = sockJsSubject(event.socket());
        LiveUpdateStats.Admission admission = stats.admit(subject, limits.maxClients(), limits.maxClientsPerSubject());
        if (admission != LiveUpdateStats.Admission.ADMITTED) {
          LOG.info("refusing a SockJS session: {}", admission == LiveUpdateStats.Admission.NODE_FULL
              ? "this node serves its limit of " + limits.maxClients() + " live-update clients"
              : "its subject has " + limits.maxClientsPerSubject() + " live-update clients");
          event.complete(false);
          return;
        }
        sockJsSubjects.put(event.socket(), subject);
        sessionOf(event.socket()).ifPresent(session -> sessionOwners.put(session, subject));
        sockJsQueues.put(event.socket(), new SendQueue(maxQueuedBytes, stats.queuedBytes,
            limits.maxTotalQueuedBytes()));
        stats.sockJsClients.increment();
      }
      case SOCKET_CLOSED -> {
        if (sockJsQueues.remove(event.socket()) != null) {
          sessionOf(event.socket()).ifPresent(sessionOwners::remove);
          stats.sockJsClients.decrement();
          stats.leave(sockJsSubjects.remove(event.socket()));
        }
      }
      case RECEIVE -> {
        // delivered here instead of by the bridge (hence complete(false)), exactly as the bridge would
        // (its envelope, encoded), so that the write's completion feeds the client's queue bound
        SendQueue queue = sockJsQueues.get(event.socket());
        if (queue != null) {
          receive(event, queue);
        }
        event.complete(false);
        return;
      }
      default -> {
        // register, unregister, send, publish: the permissions above decide
      }
    }
    event.complete(true);
  }

  private void receive(BridgeEvent event, SendQueue queue) {
    SockJSSocket socket = event.socket();
    Buffer frame = Buffer.buffer(event.getRawMessage().encode());
    switch (queue.offer(frame.length(), () -> socket.write(frame))) {
      case SENT -> stats.framesSent.increment();
      case OVERFLOWED -> tooSlow(socket.remoteAddress(), () -> socket.close(POLICY_VIOLATION, tooSlowReason()));
      // the socket is closing: what its subscriptions still bring is dropped
      case DROPPED -> stats.framesDropped.increment();
    }
  }

  /** The subject the session's first request was authorised as ("anonymous" without security). */
  private static String sockJsSubject(SockJSSocket socket) {
    RoutingContext ctx = socket.routingContext();
    return ctx == null ? "anonymous" : subjectOf(ctx);
  }

  private static String subjectOf(RoutingContext ctx) {
    Object subject = ctx.get(SecurityAudit.SUBJECT);
    return subject instanceof String s ? s : "anonymous";
  }

  /**
   * The id of a session the HTTP transports serve (its requests come one after another, each of them
   * checked against its owner); a WebSocket session is one connection and needs no such check.
   */
  private static Optional<String> sessionOf(SockJSSocket socket) {
    RoutingContext ctx = socket.routingContext();
    return Optional.ofNullable(ctx).flatMap(c -> SockJsRequests.sessionRequest(c.normalizedPath()))
        .filter(request -> !request.transport().equals("websocket"))
        .map(SockJsRequests.SessionRequest::session);
  }

  // ---- shared ---------------------------------------------------------------------------------

  /** Drops the frame that did not fit, counts it, and disconnects the client. */
  private void tooSlow(Object remote, Runnable close) {
    stats.framesDropped.increment();
    stats.slowClientsDisconnected.increment();
    LOG.info("disconnecting live-update client {}: more than {} bytes of events unsent", remote, maxQueuedBytes);
    close.run();
  }

  private String tooSlowReason() {
    return "too slow: more than " + maxQueuedBytes + " bytes of events unsent";
  }
}
