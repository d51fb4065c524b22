package io.uowservice.http;

import io.uowservice.api.Problem;
import io.uowservice.security.RateLimitHandler;
import io.uowservice.security.RateLimiter;
import io.uowservice.security.JwtSecurity;
import io.uowservice.security.Role;
import io.uowservice.web.Responses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Authentication (Bearer JWT) and role checks for the API routes. With security off every request
 * acts as {@code anonymous} with all roles. 401 means "who are you?" (no or bad token), 403 "you
 * may not" (valid token, role lacking). Tokens and query strings are never logged.
 */
final class AccessControl {

  static final String SUBJECT = "uow.subject";
  static final String ROLES = "uow.roles";
  static final String ANONYMOUS = "anonymous";

  private final JwtSecurity jwt;
  private final Set<String> openPaths;
  private final RateLimiter failedAttempts;
  private final boolean trustForwardedFor;

  /**
   * {@code jwt} null = security disabled. {@code failedAttempts} counts failed authentications per
   * client IP: past its limit a client gets 429 and its tokens are not even checked, so tokens
   * cannot be guessed at any speed.
   */
  AccessControl(JwtSecurity jwt, Set<String> openPaths, RateLimiter failedAttempts, boolean trustForwardedFor) {
    this.jwt = jwt;
    this.openPaths = Set.copyOf(openPaths);
    this.failedAttempts = failedAttempts;
    this.trustForwardedFor = trustForwardedFor;
  }

  void authenticate(RoutingContext ctx) {
    authenticate(ctx, false, RoutingContext::next);
  }

  /**
   * For /ws and /eventbus: the token may also come as the {@code access_token} query parameter,
   * since browsers cannot set headers on a WebSocket; the reader role is needed. Refused with 401/403
   * before any upgrade.
   */
  Handler<RoutingContext> liveUpdates() {
    Handler<RoutingContext> reader = requires(Role.READER);
    return ctx -> authenticate(ctx, true, reader);
  }

  /** Puts the caller's subject and roles on the context and hands it to {@code then}, or answers 401. */
  private void authenticate(RoutingContext ctx, boolean queryToken, Handler<RoutingContext> then) {
    if (jwt == null || openPaths.contains(ctx.request().path())) {
      ctx.put(SUBJECT, ANONYMOUS).put(ROLES, Role.all());
      then.handle(ctx);
      return;
    }
    String ip = RateLimitHandler.clientIp(ctx, trustForwardedFor);
    failedAttempts.peek(ip).onComplete(peeked -> {
      if (peeked.succeeded() && !peeked.result().allowed()) {
        long retry = peeked.result().resetSeconds();
        ctx.response().putHeader("Retry-After", String.valueOf(retry));
        Responses.problem(ctx, Problem.of(429, "rate-limited", "Too many requests", "too many failed "
            + "authentications from this client; retry after " + retry + " s"));
        return;
      }
      verify(ctx, ip, queryToken, then);
    });
  }

  private void verify(RoutingContext ctx, String ip, boolean queryToken, Handler<RoutingContext> then) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String token = bearer(header);
    if (token == null && header == null && queryToken) {
      token = ctx.request().getParam("access_token");
    }
    if (token == null) {
      failedAttempts.acquire(ip);
      deny(ctx, 401, "Bearer realm=\"unit-of-work\"", header == null ? "a Bearer token is required"
          : "the Authorization header must be 'Bearer <token>'");
      return;
    }
    jwt.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        failedAttempts.acquire(ip);
        String reason = ar.cause() instanceof JwtSecurity.InvalidToken ? ar.cause().getMessage()
            : "the token could not be verified";
        deny(ctx, 401, "Bearer realm=\"unit-of-work\", error=\"invalid_token\", error_description=\""
            + reason + "\"", reason);
        return;
      }
      ctx.put(SUBJECT, ar.result().subject()).put(ROLES, ar.result().roles());
      then.handle(ctx);
    });
  }

  /** A route handler letting through only holders of {@code role} (or a role above it). */
  Handler<RoutingContext> requires(Role role) {
    return requires(role, RoutingContext::next);
  }

  /** As {@link #requires(Role)}, handing an allowed request to {@code then} (which calls next). */
  Handler<RoutingContext> requires(Role role, Handler<RoutingContext> then) {
    return ctx -> {
      Set<Role> held = ctx.get(ROLES);
      if (held != null && Role.anyGrants(held, role)) {
        then.handle(ctx);
      } else {
        deny(ctx, 403, null, "this operation needs the " + role.claim() + " role");
      }
    };
  }

  static String subject(RoutingContext ctx) {
    String subject = ctx.get(SUBJECT);
    return subject == null ? ANONYMOUS : subject;
  }

  private static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private static void deny(RoutingContext ctx, int status, String challenge, String detail) {
    // the denial is counted and logged (without token or query string) by SecurityAudit via problem()
    if (challenge != null) {
      ctx.response().putHeader("WWW-Authenticate", challenge);
    }
    Responses.problem(ctx, status == 401
        ? Problem.of(401, "unauthorized", "Unauthorized", detail)
        : Problem.of(403, "forbidden", "Forbidden", detail));
  }
}
