package io.uowservice.security;

import io.uowservice.api.Problem;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Applies a {@link RateLimiter} to every request except operators' probes ({@code /health},
 * {@code /metrics}, {@code /api/v1/info}). The key is the authenticated subject (left in {@link
 * SecurityAudit#SUBJECT} by authentication), else the client IP: the TCP peer, or the last
 * X-Forwarded-For entry (the one our own proxy appended) when {@code trustForwardedFor} is set.
 * The subject {@code anonymous} (security disabled) counts as no subject, so clients keep their
 * own budgets. Counted responses carry RateLimit-Limit/Remaining/Reset; a denial is a 429 problem
 * with Retry-After. When the limiter could not count (its store is down) the request passes
 * without these headers.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  public static final String ANONYMOUS = "anonymous";
  private static final Set<String> EXEMPT = Set.of("/health", "/metrics", "/api/v1/info");

  private final RateLimiter limiter;
  private final boolean trustForwardedFor;
  private final BiConsumer<RoutingContext, Problem> problemWriter;

  /** {@code problemWriter} writes the 429 problem the same way as every other error of the API. */
  public RateLimitHandler(RateLimiter limiter, boolean trustForwardedFor,
      BiConsumer<RoutingContext, Problem> problemWriter) {
    this.limiter = limiter;
    this.trustForwardedFor = trustForwardedFor;
    this.problemWriter = problemWriter;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (isExempt(ctx.request().path())) {
      ctx.next();
      return;
    }
    limiter.acquire(key(ctx)).onComplete(ar -> {
      if (ar.failed() || !ar.result().known()) { // limiters fail open themselves; this is a backstop
        ctx.next();
        return;
      }
      RateLimiter.Decision d = ar.result();
      HttpServerResponse response = ctx.response();
      response.putHeader("RateLimit-Limit", String.valueOf(d.limit()))
          .putHeader("RateLimit-Remaining", String.valueOf(d.remaining()))
          .putHeader("RateLimit-Reset", String.valueOf(d.resetSeconds()));
      if (d.allowed()) {
        ctx.next();
        return;
      }
      response.putHeader("Retry-After", String.valueOf(d.resetSeconds()));
      problemWriter.accept(ctx, Problem.of(429, "rate-limited", "Too many requests",
          "more than " + d.limit() + " requests in the current window; retry after " + d.resetSeconds() + " s"));
    });
  }

  static boolean isExempt(String path) {
    if (path == null) {
      return false;
    }
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return EXEMPT.contains(p) || p.startsWith("/health/") || p.startsWith("/metrics/");
  }

  /** {@code subject:<sub>} or {@code ip:<address>}; the IP is left in the context for the audit log. */
  String key(RoutingContext ctx) {
    Object subject = ctx.get(SecurityAudit.SUBJECT);
    if (subject instanceof String s && !s.isEmpty() && !ANONYMOUS.equals(s)) {
      return "subject:" + s;
    }
    String ip = clientIp(ctx);
    ctx.put(SecurityAudit.CLIENT_IP, ip);
    return "ip:" + ip;
  }

  private String clientIp(RoutingContext ctx) {
    return clientIp(ctx, trustForwardedFor);
  }

  /** The client's address: the socket's, or the last X-Forwarded-For hop when {@code trustForwardedFor}. */
  public static String clientIp(RoutingContext ctx, boolean trustForwardedFor) {
    if (trustForwardedFor) {
      String forwarded = ctx.request().getHeader("X-Forwarded-For");
      if (forwarded != null) {
        String[] hops = forwarded.split(",");
        String last = hops[hops.length - 1].trim();
        if (!last.isEmpty() && last.length() <= 64) { // an address, not arbitrary text for the key
          return last;
        }
      }
    }
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null || remote.host() == null ? "unknown" : remote.host();
  }
}
