package io.uowservice.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit of denied requests (401, 403, 429, or any status passed in): a counter per status and
 * one log line per denial with method, path, subject or client IP and the problem type. Never the
 * query string (tokens may travel there), headers or bodies. One per Vert.x instance, so every
 * HTTP verticle instance counts into the same numbers.
 */
public final class SecurityAudit implements Shareable {

  /** The routing-context key under which authentication leaves the subject (a String). */
  public static final String SUBJECT = "uow.subject";
  /** The routing-context key under which the rate limiter leaves the client IP it used. */
  static final String CLIENT_IP = "uow.client.ip";

  private static final Logger LOG = LoggerFactory.getLogger("io.uowservice.security.audit");
  private static final String SHARED_MAP = "uow.security.audit";
  private static final int[] ALWAYS_REPORTED = {401, 403, 429};

  private final Map<Integer, LongAdder> denied = new ConcurrentHashMap<>();
  private final LongAdder rateLimiterFailOpen = new LongAdder();

  private SecurityAudit() {
  }

  public static SecurityAudit of(Vertx vertx) {
    return vertx.sharedData().<String, SecurityAudit>getLocalMap(SHARED_MAP)
        .computeIfAbsent("audit", k -> new SecurityAudit());
  }

  /** Whether a response status is a denial this audit records. */
  public static boolean isDenial(int status) {
    return status == 401 || status == 403 || status == 429;
  }

  /** Counts and logs one denied request; {@code reason} is a short code such as a problem type. */
  public void denied(RoutingContext ctx, int status, String reason) {
    denied.computeIfAbsent(status, s -> new LongAdder()).increment();
    LOG.info("denied {} {} {} client={} reason={}", status, ctx.request().method(),
        clean(ctx.request().path()), clean(client(ctx)), clean(reason));
  }

  /** {@code {"401": n, "403": n, "429": n, ...}}: denials by status since start. */
  public JsonObject deniedJson() {
    Map<String, Long> counts = new TreeMap<>();
    for (int status : ALWAYS_REPORTED) {
      counts.put(String.valueOf(status), 0L);
    }
    denied.forEach((status, n) -> counts.put(String.valueOf(status), n.sum()));
    return new JsonObject(Map.copyOf(counts));
  }

  void rateLimiterFailedOpen() {
    rateLimiterFailOpen.increment();
  }

  /** Requests the rate limiter let through uncounted because its store failed. */
  public long rateLimiterFailOpenCount() {
    return rateLimiterFailOpen.sum();
  }

  /** {@code subject:<sub>} when authenticated, else {@code ip:<address>}. */
  private static String client(RoutingContext ctx) {
    Object subject = ctx.get(SUBJECT);
    if (subject instanceof String s && !s.isEmpty() && !RateLimitHandler.ANONYMOUS.equals(s)) {
      return "subject:" + s;
    }
    Object ip = ctx.get(CLIENT_IP);
    if (ip instanceof String s) {
      return "ip:" + s;
    }
    SocketAddress remote = ctx.request().remoteAddress();
    return "ip:" + (remote == null ? "unknown" : remote.host());
  }

  /** Client-controlled text in a log line: no control characters (no forged lines), bounded length. */
  static String clean(String text) {
    if (text == null) {
      return "-";
    }
    String bounded = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return bounded.replaceAll("[\\p{Cntrl}\\s]", "_");
  }
}
