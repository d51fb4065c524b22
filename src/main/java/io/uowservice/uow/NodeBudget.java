package io.uowservice.uow;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the units of one node hold together, shared by its UnitOfWork shards (each owns its units;
 * the sums are node-wide): the bytes of their entity copies, and each subject's open units. A
 * subject's units spread over every shard, so only a node-wide count bounds them.
 */
final class NodeBudget implements Shareable {

  private static final String KEY = "uow.node-budget";

  private final AtomicLong bytes = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicInteger> unitsBySubject = new ConcurrentHashMap<>();

  static NodeBudget of(Vertx vertx) {
    var map = vertx.sharedData().<String, NodeBudget>getLocalMap(KEY);
    NodeBudget created = new NodeBudget();
    NodeBudget existing = map.putIfAbsent(KEY, created);
    return existing != null ? existing : created;
  }

  long bytes() {
    return bytes.get();
  }

  void addBytes(long delta) {
    if (delta != 0) {
      bytes.addAndGet(delta);
    }
  }

  /** Counts one more open unit for {@code subject}, unless it already has {@code max}. */
  boolean openUnit(String subject, int max) {
    AtomicInteger count = unitsBySubject.computeIfAbsent(subject, s -> new AtomicInteger());
    while (true) {
      int n = count.get();
      if (n >= max) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void closeUnit(String subject) {
    unitsBySubject.computeIfPresent(subject, (s, count) -> count.decrementAndGet() <= 0 ? null : count);
  }
}
