package io.uowservice.bridge;

import io.uowservice.api.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a SockJS request under {@code /eventbus} must be before the vertx-web SockJS handler sees it.
 * That handler answers a malformed request of its protocol (a send without a payload or with broken
 * JSON, a JSONP or htmlfile poll without a usable callback, a JSONP send of another content type) with
 * 500 and a line of text, as the sockjs-protocol suite expects; here a client's mistake is a 4xx problem
 * like everywhere else in the API, and a 5xx stays what it means: our fault.
 *
 * <p>Pure checks over the request: no state, no Vert.x beyond reading it.
 */
final class SockJsRequests {

  /**
   * {@code /eventbus/<server>/<session>/<anything>}: what the SockJS handler may take for a session
   * request (it serves {@code htmlfile} under any path that starts so), checked against the transports.
   */
  private static final Pattern SESSION_REQUEST =
      Pattern.compile("^" + Pattern.quote(LiveUpdates.EVENTBUS_PATH) + "/[^/.]+/([^/.]+)/(.+)$");
  /** Each session transport and the method it is requested with (OPTIONS aside: CORS preflights). */
  private static final Map<String, HttpMethod> TRANSPORTS = Map.of("websocket", HttpMethod.GET,
      "xhr", HttpMethod.POST, "xhr_streaming", HttpMethod.POST, "xhr_send", HttpMethod.POST,
      "eventsource", HttpMethod.GET, "htmlfile", HttpMethod.GET, "jsonp", HttpMethod.GET,
      "jsonp_send", HttpMethod.POST);
  /** The raw WebSocket endpoint, no SockJS framing. */
  private static final String RAW_WEBSOCKET = LiveUpdates.EVENTBUS_PATH + "/websocket";
  /** The callback a JSONP or htmlfile poll names: what the SockJS handler accepts, capped as for JSONP. */
  private static final Pattern CALLBACK = Pattern.compile("[a-zA-Z0-9_.-]{1,32}");
  private static final String FORM = "application/x-www-form-urlencoded";

  private SockJsRequests() {
  }

  /** The session and transport of a session request ({@code /eventbus/000/abc/xhr}), if it is one. */
  record SessionRequest(String session, String transport) {
  }

  static Optional<SessionRequest> sessionRequest(String path) {
    Matcher m = path == null ? null : SESSION_REQUEST.matcher(path);
    return m != null && m.matches() ? Optional.of(new SessionRequest(m.group(1), m.group(2))) : Optional.empty();
  }

  /** The receiving transports: the SockJS handler closes their connection once their response ends. */
  private static final Set<String> RECEIVING = Set.of("xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp");

  static boolean closesItsConnection(SessionRequest request) {
    return RECEIVING.contains(request.transport());
  }

  /** Whether {@code path} is the raw WebSocket endpoint. */
  static boolean isRawWebSocket(String path) {
    return RAW_WEBSOCKET.equals(path);
  }

  /** A WebSocket endpoint asked for with another method, or without asking for an upgrade. */
  static Problem webSocketProblem(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.GET) {
      return Problem.of(405, "method-not-allowed", "Method not allowed",
          "a SockJS WebSocket is opened with GET and an upgrade to websocket");
    }
    String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.response().putHeader(HttpHeaders.UPGRADE, "websocket");
      return Problem.of(426, "upgrade-required", "Upgrade required",
          "this is a WebSocket endpoint: connect with a WebSocket client");
    }
    return null;
  }

  /** The problem with the request, or null when the SockJS handler may have it (body already read). */
  static Problem problemWith(RoutingContext ctx, SessionRequest request) {
    HttpMethod method = ctx.request().method();
    HttpMethod expected = TRANSPORTS.get(request.transport());
    if (expected == null) {
      return Problem.notFound("no SockJS transport " + request.transport() + " (one of "
          + String.join(", ", new java.util.TreeSet<>(TRANSPORTS.keySet())) + ")");
    }
    if (method == HttpMethod.OPTIONS) {
      return null;
    }
    if (method != expected) {
      return Problem.of(405, "method-not-allowed", "Method not allowed",
          "the SockJS transport " + request.transport() + " is requested with " + expected);
    }
    return switch (request.transport()) {
      case "websocket" -> webSocketProblem(ctx);
      case "jsonp", "htmlfile" -> method == HttpMethod.GET ? callbackProblem(ctx) : null;
      case "xhr_send" -> method == HttpMethod.POST ? messagesProblem(ctx.body().asString()) : null;
      case "jsonp_send" -> method == HttpMethod.POST ? jsonpSendProblem(ctx) : null;
      default -> null;
    };
  }

  private static Problem callbackProblem(RoutingContext ctx) {
    String callback = ctx.request().getParam("callback");
    if (callback == null) {
      callback = ctx.request().getParam("c");
    }
    if (callback == null) {
      return Problem.badRequest("a JSONP or htmlfile poll names its callback in the c query parameter");
    }
    if (!CALLBACK.matcher(callback).matches()) {
      return Problem.badRequest("the callback must be 1 to 32 letters, digits, '_', '-' or '.'");
    }
    return null;
  }

  private static Problem jsonpSendProblem(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    boolean form = FORM.equalsIgnoreCase(type);
    if (!form && !"text/plain".equalsIgnoreCase(type)) {
      return Problem.of(415, "unsupported-media-type", "Unsupported media type",
          "a JSONP send is " + FORM + " (d=<messages>) or text/plain");
    }
    RequestBody body = ctx.body();
    String text = body.asString();
    if (!form) {
      return messagesProblem(text);
    }
    if (text == null || !text.startsWith("d=") || text.length() <= 2) {
      return Problem.badRequest("a JSONP send carries its messages in the form field d");
    }
    try {
      // as the SockJS handler reads it: the whole body decoded, "d=" dropped
      return messagesProblem(URLDecoder.decode(text, StandardCharsets.UTF_8).substring(2));
    } catch (IllegalArgumentException e) {
      return Problem.badRequest("the form field d is not URL-encoded");
    }
  }

  /** A SockJS send: a JSON array of strings (the messages), or one string. */
  static Problem messagesProblem(String payload) {
    if (payload == null || payload.isEmpty()) {
      return Problem.badRequest("a SockJS send carries a JSON array of messages (strings)");
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(payload);
    } catch (DecodeException e) {
      return Problem.badRequest("a SockJS send is a JSON array of strings; this is not JSON");
    }
    if (decoded instanceof String) {
      return null;
    }
    if (decoded instanceof JsonArray messages && messages.stream().allMatch(String.class::isInstance)) {
      return null;
    }
    return Problem.badRequest("a SockJS send is a JSON array of strings, each one message");
  }
}
