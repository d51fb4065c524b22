package io.uowservice.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live-update counters of this Vert.x instance. Every HTTP verticle instance updates them from its own
 * event loop, so they are thread-safe adders shared through a local map rather than event-bus messages
 * (no traffic on the per-frame path); the bridge verticle reports them.
 */
final class LiveUpdateStats implements Shareable {

  final LongAdder webSocketClients = new LongAdder();
  final LongAdder sockJsClients = new LongAdder();
  final LongAdder framesSent = new LongAdder();
  final LongAdder framesDropped = new LongAdder();
  final LongAdder slowClientsDisconnected = new LongAdder();
  /** Unsent bytes of every live client of this node. */
  final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
  /** Live clients of this node: the one count the connection cap is checked against. */
  final java.util.concurrent.atomic.AtomicInteger connected = new java.util.concurrent.atomic.AtomicInteger();
  private final io.uowservice.limits.CountsPerKey bySubject = new io.uowservice.limits.CountsPerKey();

  /** Takes a place for one more client, unless the node or {@code subject} (null: not counted) is full. */
  Admission admit(String subject, int maxClients, int maxPerSubject) {
    if (connected.incrementAndGet() > maxClients) {
      connected.decrementAndGet();
      return Admission.NODE_FULL;
    }
    if (subject != null && !bySubject.tryAdd(subject, maxPerSubject)) {
      connected.decrementAndGet();
      return Admission.SUBJECT_FULL;
    }
    return Admission.ADMITTED;
  }

  void leave(String subject) {
    connected.decrementAndGet();
    if (subject != null) {
      bySubject.remove(subject);
    }
  }

  enum Admission { ADMITTED, NODE_FULL, SUBJECT_FULL }

  private LiveUpdateStats() {
  }

  /** The one instance of {@code vertx}, created by whoever asks first. */
  static LiveUpdateStats of(Vertx vertx) {
    return vertx.sharedData().<String, LiveUpdateStats>getLocalMap("uow.bridge")
        .computeIfAbsent("stats", key -> new LiveUpdateStats());
  }

  JsonObject toJson(int maxQueuedBytes) {
    return new JsonObject()
        .put("websocket_clients", webSocketClients.sum())
        .put("sockjs_clients", sockJsClients.sum())
        .put("frames_sent", framesSent.sum())
        .put("frames_dropped", framesDropped.sum())
        .put("slow_clients_disconnected", slowClientsDisconnected.sum())
        .put("queued_bytes", queuedBytes.get())
        .put("max_queued_bytes", maxQueuedBytes);
  }
}
