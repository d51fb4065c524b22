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
    boolean[] opened = {false};
    // check and count in one atomic step of the map, so a concurrent close cannot orphan the counter
    unitsBySubject.compute(subject, (s, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      if (c.get() < max) {
        c.incrementAndGet();
        opened[0] = true;
      }
      return c.get() == 0 ? null : c;
    });
    return opened[0];
  }

  void closeUnit(String subject) {
    unitsBySubject.computeIfPresent(subject, (s, count) -> count.decrementAndGet() <= 0 ? null : count);
  }
}
