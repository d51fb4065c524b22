package io.uowservice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.security.RateLimiter.Decision;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MemoryRateLimiter: fixed windows per key in this process")
class MemoryRateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final MemoryRateLimiter limiter = new MemoryRateLimiter(3, Duration.ofSeconds(10), now::get);

  private Decision acquire(String key) {
    return limiter.acquire(key).result(); // completed at once: no I/O
  }

  @Test
  void allowsTheLimitThenDeniesUntilTheWindowEnds() {
    assertThat(acquire("a")).isEqualTo(new Decision(true, 3, 2, 10));
    assertThat(acquire("a")).isEqualTo(new Decision(true, 3, 1, 10));
    now.addAndGet(2_500);
    assertThat(acquire("a")).isEqualTo(new Decision(true, 3, 0, 8)); // 7.5 s left, rounded up
    Decision denied = acquire("a");
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.remaining()).isZero();
    assertThat(denied.resetSeconds()).isEqualTo(8);

    now.addAndGet(7_500); // the window has ended
    assertThat(acquire("a")).isEqualTo(new Decision(true, 3, 2, 10));
  }

  @Test
  void eachKeyHasItsOwnBudget() {
    for (int i = 0; i < 3; i++) {
      acquire("a");
    }
    assertThat(acquire("a").allowed()).isFalse();
    assertThat(acquire("b")).isEqualTo(new Decision(true, 3, 2, 10));
  }

  @Test
  void endedWindowsAreDroppedSoMemoryStaysBounded() {
    for (int i = 0; i < 1000; i++) {
      acquire("client-" + i);
    }
    assertThat(limiter.size()).isEqualTo(1000);

    now.addAndGet(10_000); // every window has ended; the next request sweeps them
    acquire("late");
    assertThat(limiter.size()).isEqualTo(1);
  }

  @Test
  void theHttpInstancesOfOneVertxShareOneLimiterPerSetting() {
    Vertx vertx = Vertx.vertx();
    Vertx other = Vertx.vertx();
    try {
      MemoryRateLimiter shared = MemoryRateLimiter.shared(vertx, 5, Duration.ofSeconds(60));
      assertThat(MemoryRateLimiter.shared(vertx, 5, Duration.ofSeconds(60))).isSameAs(shared);
      assertThat(MemoryRateLimiter.shared(vertx, 6, Duration.ofSeconds(60))).isNotSameAs(shared);
      assertThat(MemoryRateLimiter.shared(other, 5, Duration.ofSeconds(60))).isNotSameAs(shared);
    } finally {
      vertx.close();
      other.close();
    }
  }
}
