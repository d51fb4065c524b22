package io.uowservice.uow;

import io.uowservice.limits.CountsPerKey;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the units of one node hold together, shared by its UnitOfWork shards (each owns its units;
 * the sums are node-wide): the bytes of their entity copies, and each subject's open units. A
 * subject's units spread over every shard, so only a node-wide count bounds them.
 */
final class NodeBudget implements Shareable {

  private static final String KEY = "uow.node-budget";

  private final AtomicLong bytes = new AtomicLong();
  private final CountsPerKey unitsBySubject = new CountsPerKey();

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
    return unitsBySubject.tryAdd(subject, max);
  }

  void closeUnit(String subject) {
    unitsBySubject.remove(subject);
  }
}
