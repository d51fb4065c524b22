package io.uowservice.security;

import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Counts requests per key in fixed windows of {@code security.rate_limit_window} (a window starts
 * at a key's first request) and allows {@code security.rate_limit_requests} per window.
 */
public interface RateLimiter {

  /** Counts one request for {@code key}; never fails (a broken store answers {@link Decision#UNKNOWN}). */
  Future<Decision> acquire(String key);

  /**
   * Whether {@code key} has used up its current window, without counting: {@code allowed} is false
   * once the window holds {@code limit} counts. Never fails (UNKNOWN when the store cannot tell).
   */
  Future<Decision> peek(String key);

  /**
   * Gets ready before the first request (connects, loads scripts), so that a cold start does not
   * cost the first requests their limit. Never fails: an unavailable store is reported and the
   * limiter fails open until it is back.
   */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Releases connections; the shared in-memory limiter has none. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * The outcome of one request: whether it may pass, the limit, what is left of it in the current
   * window and the seconds until that window ends.
   */
  record Decision(boolean allowed, int limit, int remaining, long resetSeconds) {

    /** The store could not count: let the request pass (fail open) and claim no numbers. */
    public static final Decision UNKNOWN = new Decision(true, 0, 0, 0);

    /** The decision for the {@code count}-th request of a window with {@code ttlMillis} left. */
    static Decision of(long count, int limit, long ttlMillis) {
      long reset = Math.max(1, (ttlMillis + 999) / 1000); // whole seconds, rounded up: never "0, retry now"
      return new Decision(count <= limit, limit, (int) Math.max(0, limit - count), reset);
    }

    /** False for {@link #UNKNOWN}: there are no counts to report in headers. */
    public boolean known() {
      return limit > 0;
    }
  }

  /**
   * Redis when {@code cache.type} is {@code redis}, so every node shares the counters; otherwise
   * the in-memory limiter, one per Vert.x instance, so all HTTP verticle instances share it.
   */
  static RateLimiter create(Vertx vertx, AppConfig config) {
    AppConfig.Security security = config.security();
    if ("redis".equals(config.cache().type())) {
      return new RedisRateLimiter(vertx, config.cache().redisUrl(), config.cache().redisKeyPrefix() + "rl:",
          security.rateLimitRequests(), security.rateLimitWindow());
    }
    return MemoryRateLimiter.shared(vertx, security.rateLimitRequests(), security.rateLimitWindow());
  }

  /**
   * Counts failed authentications per client IP ({@code security.failed_auth_limit} per {@code
   * security.failed_auth_window}), shared like the request limiter, under its own keys.
   */
  static RateLimiter failedAuthentication(Vertx vertx, AppConfig config) {
    AppConfig.Security security = config.security();
    if ("redis".equals(config.cache().type())) {
      return new RedisRateLimiter(vertx, config.cache().redisUrl(), config.cache().redisKeyPrefix() + "authfail:",
          security.failedAuthLimit(), security.failedAuthWindow());
    }
    return MemoryRateLimiter.shared(vertx, security.failedAuthLimit(), security.failedAuthWindow());
  }
}
