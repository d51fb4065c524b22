package io.uowservice.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of something each key holds (open units per subject, live clients per subject,
 * connections per client address), each at most a limit. The check and the count are one atomic
 * step of the map, and a key at zero leaves it, so the map holds only keys that hold something and a
 * concurrent release never orphans a counter.
 */
public final class CountsPerKey {

  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** Counts one more for {@code key}, unless it already holds {@code max}; says whether it did. */
  public boolean tryAdd(String key, int max) {
    boolean[] added = {false};
    counts.compute(key, (k, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      if (c.get() < max) {
        c.incrementAndGet();
        added[0] = true;
      }
      return c.get() == 0 ? null : c;
    });
    return added[0];
  }

  /** Gives back one of {@code key}'s. */
  public void remove(String key) {
    counts.computeIfPresent(key, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
  }

  public int of(String key) {
    AtomicInteger c = counts.get(key);
    return c == null ? 0 : c.get();
  }
}
