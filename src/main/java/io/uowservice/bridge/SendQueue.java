package io.uowservice.bridge;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The bounded queue of one live client: the size of the frames handed to its socket whose writes have
 * not completed yet (completion = the bytes left the process), counted in characters of JSON text,
 * which is what a byte bound means for mostly-ASCII events. Counting it here, rather than asking the
 * socket, gives the same bound for /ws and every SockJS transport: a SockJS session hands its frames
 * straight on to its WebSocket, so its own {@code writeQueueFull()} never sees a backlog, and Vert.x
 * keeps queueing past a WebSocket's {@code writeQueueFull()} too.
 */
final class SendQueue {

  enum Outcome { SENT, OVERFLOWED, DROPPED }

  private final long maxQueued;
  // writes may complete on another thread than the one offering (SockJS HTTP transports)
  private final AtomicLong queued = new AtomicLong();
  private volatile boolean overflowed;

  SendQueue(long maxQueued) {
    this.maxQueued = maxQueued;
  }

  /**
   * Writes a frame of {@code size} unless that would pass the bound: then this frame, and every later
   * one, is not written; the first such offer says {@link Outcome#OVERFLOWED} (disconnect the client).
   * A frame larger than the bound still goes to a client that has nothing queued.
   */
  Outcome offer(int size, Supplier<Future<Void>> write) {
    if (overflowed) {
      return Outcome.DROPPED;
    }
    long before = queued.get();
    if (before > 0 && before + size > maxQueued) {
      overflowed = true;
      return Outcome.OVERFLOWED;
    }
    queued.addAndGet(size);
    write.get().onComplete(ar -> queued.addAndGet(-size));
    return Outcome.SENT;
  }
}
