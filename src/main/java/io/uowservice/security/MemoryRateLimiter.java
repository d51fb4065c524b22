package io.uowservice.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Fixed-window counters in this process. Thread-safe, because the HTTP verticle instances of a
 * Vert.x instance share one (see {@link #shared}). Memory stays bounded by the keys seen in about
 * one window: at most once per window a sweep drops the windows that have ended.
 */
public final class MemoryRateLimiter implements RateLimiter, Shareable {

  private static final String SHARED_MAP = "uow.security.rate-limiters";

  private final int limit;
  private final long windowMillis;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep;

  private record Window(long endsAt, long count) {
  }

  /** {@code clock} in milliseconds; tests pass a fake one to cross window ends without waiting. */
  public MemoryRateLimiter(int limit, Duration window, LongSupplier clock) {
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.clock = clock;
    this.nextSweep = new AtomicLong(clock.getAsLong() + windowMillis);
  }

  /** The limiter of this Vert.x instance for these settings, created on first use. */
  public static MemoryRateLimiter shared(Vertx vertx, int limit, Duration window) {
    return vertx.sharedData().<String, MemoryRateLimiter>getLocalMap(SHARED_MAP)
        .computeIfAbsent(limit + "/" + window.toMillis(),
            k -> new MemoryRateLimiter(limit, window, System::currentTimeMillis));
  }

  @Override
  public Future<Decision> acquire(String key) {
    long now = clock.getAsLong();
    sweep(now);
    // compute() is atomic per key, so concurrent event loops never lose a count
    Window w = windows.compute(key, (k, old) -> old == null || old.endsAt() <= now
        ? new Window(now + windowMillis, 1) : new Window(old.endsAt(), old.count() + 1));
    return Future.succeededFuture(Decision.of(w.count(), limit, w.endsAt() - now));
  }

  @Override
  public Future<Decision> peek(String key) {
    long now = clock.getAsLong();
    Window w = windows.get(key);
    if (w == null || w.endsAt() <= now) {
      return Future.succeededFuture(new Decision(true, limit, limit, 0));
    }
    return Future.succeededFuture(new Decision(w.count() < limit, limit, (int) Math.max(0, limit - w.count()),
        Math.max(1, (w.endsAt() - now + 999) / 1000)));
  }

  /** How many keys hold a window (ended or not); for tests of the memory bound. */
  int size() {
    return windows.size();
  }

  private void sweep(long now) {
    long due = nextSweep.get();
    if (now >= due && nextSweep.compareAndSet(due, now + windowMillis)) {
      // a conditional remove per entry: a window renewed meanwhile is kept
      windows.entrySet().removeIf(e -> e.getValue().endsAt() <= now);
    }
  }
}
