package io.uowservice.security;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.security.RateLimiter.Decision;
import io.uowservice.testsupport.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RedisRateLimiter: fixed windows in a real Redis, failing open when it is down")
class RedisRateLimiterTest {

  private static Vertx vertx;
  private static RedisAPI redis;
  private static String url;
  private static final List<RateLimiter> LIMITERS = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    url = TestRedis.server().url();
    redis = RedisAPI.api(Redis.createClient(vertx, url));
  }

  @AfterAll
  static void stop() {
    LIMITERS.forEach(RateLimiter::close);
    redis.close();
    await(vertx.close());
  }

  private static RedisRateLimiter limiter(String prefix, int limit, Duration window) {
    RedisRateLimiter limiter = new RedisRateLimiter(vertx, url, prefix, limit, window);
    LIMITERS.add(limiter);
    await(limiter.start());
    return limiter;
  }

  @Test
  void allowsTheLimitThenDeniesAndTheKeyExpiresWithItsWindow() {
    String prefix = TestRedis.uniqueKeyPrefix();
    RedisRateLimiter limiter = limiter(prefix, 2, Duration.ofSeconds(60));

    assertThat(await(limiter.acquire("a"))).isEqualTo(new Decision(true, 2, 1, 60));
    assertThat(await(limiter.acquire("a"))).isEqualTo(new Decision(true, 2, 0, 60));
    Decision denied = await(limiter.acquire("a"));
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.remaining()).isZero();
    assertThat(denied.resetSeconds()).isBetween(1L, 60L);

    assertThat(await(redis.get(prefix + "a")).toLong()).isEqualTo(3);
    assertThat(await(redis.pttl(prefix + "a")).toLong()).isBetween(1L, 60_000L); // no key outlives its window
    assertThat(await(limiter.acquire("b")).allowed()).isTrue();
  }

  @Test
  void aNewWindowStartsWhenTheOldOneEnds() throws InterruptedException {
    RedisRateLimiter limiter = limiter(TestRedis.uniqueKeyPrefix(), 1, Duration.ofSeconds(1));
    assertThat(await(limiter.acquire("a")).allowed()).isTrue();
    assertThat(await(limiter.acquire("a")).allowed()).isFalse();

    Thread.sleep(1_100); // the one-second window has ended
    assertThat(await(limiter.acquire("a"))).isEqualTo(new Decision(true, 1, 0, 1));
  }

  @Test
  void concurrentRequestsNeverPassMoreThanTheLimit() {
    RedisRateLimiter limiter = limiter(TestRedis.uniqueKeyPrefix(), 10, Duration.ofSeconds(60));
    List<Future<Decision>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(limiter.acquire("burst"));
    }
    await(Future.all(all));
    assertThat(all.stream().filter(f -> f.result().allowed()).count()).isEqualTo(10);
  }

  @Test
  void twoLimitersOnTheSameRedisAndPrefixShareTheCounters() {
    String prefix = TestRedis.uniqueKeyPrefix();
    Vertx otherNode = Vertx.vertx();
    try {
      RedisRateLimiter here = limiter(prefix, 3, Duration.ofSeconds(60));
      RedisRateLimiter there = new RedisRateLimiter(otherNode, url, prefix, 3, Duration.ofSeconds(60));
      await(there.start());
      assertThat(await(here.acquire("k")).remaining()).isEqualTo(2);
      assertThat(await(there.acquire("k")).remaining()).isEqualTo(1);
      assertThat(await(here.acquire("k")).remaining()).isEqualTo(0);
      assertThat(await(there.acquire("k")).allowed()).isFalse();
      there.close();
    } finally {
      await(otherNode.close());
    }
  }

  @Test
  void theScriptIsLoadedAgainAfterRedisForgetsIt() {
    RedisRateLimiter limiter = limiter(TestRedis.uniqueKeyPrefix(), 5, Duration.ofSeconds(60));
    assertThat(await(limiter.acquire("a")).remaining()).isEqualTo(4);
    await(redis.script(List.of("FLUSH"))); // as after a Redis restart: EVALSHA answers NOSCRIPT
    assertThat(await(limiter.acquire("a")).remaining()).isEqualTo(3);
  }

  @Test
  void redisDownFailsOpenAndIsCounted() {
    Vertx isolated = Vertx.vertx(); // its own audit counters
    try {
      RedisRateLimiter limiter = new RedisRateLimiter(isolated, TestRedis.closedUrl(), "x:", 1, Duration.ofSeconds(60));
      await(limiter.start()); // completes: an unavailable store is no reason not to serve
      for (int i = 0; i < 5; i++) {
        assertThat(await(limiter.acquire("a"))).isEqualTo(Decision.UNKNOWN);
      }
      assertThat(SecurityAudit.of(isolated).rateLimiterFailOpenCount()).isEqualTo(5);
      limiter.close();
    } finally {
      await(isolated.close());
    }
  }
}
