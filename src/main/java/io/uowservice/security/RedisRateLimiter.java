package io.uowservice.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed-window counters in Redis, shared by every node that uses the same Redis and key prefix.
 * One Lua script counts atomically: INCR, and PEXPIRE on a window's first request; it returns the
 * count and the window's remaining milliseconds.
 *
 * <p>When Redis fails or is slow, the limiter fails open: the request passes uncounted (counted in
 * {@link SecurityAudit#rateLimiterFailOpenCount()}, with a WARN at most every 10 s), and Redis is
 * left alone for a second so that requests do not each wait for it. Losing the limit for a while
 * is preferred over refusing every request because an auxiliary store is down.
 */
public final class RedisRateLimiter implements RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);

  static final String SCRIPT = """
      local count = redis.call('INCR', KEYS[1])
      local ttl = redis.call('PTTL', KEYS[1])
      if count == 1 or ttl < 0 then
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        ttl = tonumber(ARGV[1])
      end
      return {count, ttl}
      """;
  private static final String SCRIPT_SHA = sha1(SCRIPT);
  private static final long TIMEOUT_MS = 1_000;   // the longest a request waits for Redis
  private static final long START_TIMEOUT_MS = 5_000; // the first connection of a cold JVM is slow
  private static final long BACKOFF_MS = 1_000;   // after a failure, fail open at once for this long
  private static final long WARN_EVERY_MS = 10_000;

  private final Redis client;
  private final RedisAPI redis;
  private final SecurityAudit audit;
  private final String keyPrefix;
  private final int limit;
  private final String windowMillis;
  private volatile long skipUntil;
  private final AtomicLong nextWarn = new AtomicLong();
  private final AtomicLong failuresSinceWarn = new AtomicLong();

  public RedisRateLimiter(Vertx vertx, String url, String keyPrefix, int limit, Duration window) {
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
        .setMaxPoolSize(8).setMaxPoolWaiting(256)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) TIMEOUT_MS).setTcpNoDelay(true)));
    this.redis = RedisAPI.api(client);
    this.audit = SecurityAudit.of(vertx);
    this.keyPrefix = keyPrefix;
    this.limit = limit;
    this.windowMillis = String.valueOf(window.toMillis());
  }

  @Override
  public Future<Void> start() {
    // connects the pool and caches the script, so the first requests need no EVAL
    return redis.script(List.of("LOAD", SCRIPT)).timeout(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("rate limiter: Redis unavailable at start ({}); failing open until it answers", e.toString());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Decision> acquire(String key) {
    long now = System.currentTimeMillis();
    if (now < skipUntil) {
      return Future.succeededFuture(failOpen(null));
    }
    String redisKey = keyPrefix + key;
    return redis.evalsha(List.of(SCRIPT_SHA, "1", redisKey, windowMillis))
        // the first call on a Redis (or after SCRIPT FLUSH) loads the script; EVAL also caches it
        .recover(e -> isNoScript(e) ? redis.eval(List.of(SCRIPT, "1", redisKey, windowMillis)) : Future.failedFuture(e))
        .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(this::decision)
        .recover(e -> {
          skipUntil = System.currentTimeMillis() + BACKOFF_MS;
          return Future.succeededFuture(failOpen(e));
        });
  }

  @Override
  public Future<Decision> peek(String key) {
    if (System.currentTimeMillis() < skipUntil) {
      return Future.succeededFuture(Decision.UNKNOWN);
    }
    String redisKey = keyPrefix + key;
    return redis.get(redisKey).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).compose(count -> {
      long n = count == null ? 0 : count.toLong();
      if (n < limit) {
        return Future.succeededFuture(new Decision(true, limit, (int) (limit - n), 0));
      }
      return redis.pttl(redisKey).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .map(ttl -> new Decision(false, limit, 0, Math.max(1, (ttl.toLong() + 999) / 1000)));
    }).recover(e -> {
      skipUntil = System.currentTimeMillis() + BACKOFF_MS;
      return Future.succeededFuture(failOpen(e));
    });
  }

  private Decision decision(Response reply) {
    return Decision.of(reply.get(0).toLong(), limit, reply.get(1).toLong());
  }

  private Decision failOpen(Throwable cause) {
    audit.rateLimiterFailedOpen();
    long failures = failuresSinceWarn.incrementAndGet();
    long now = System.currentTimeMillis();
    long due = nextWarn.get();
    if (now >= due && nextWarn.compareAndSet(due, now + WARN_EVERY_MS)) {
      failuresSinceWarn.addAndGet(-failures);
      LOG.warn("rate limiter: Redis unavailable ({}); {} request(s) passed unlimited (failing open)",
          cause == null ? "backing off after an earlier failure" : cause.toString(), failures);
    }
    return Decision.UNKNOWN;
  }

  private static boolean isNoScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
