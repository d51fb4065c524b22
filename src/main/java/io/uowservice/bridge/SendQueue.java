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
  private final AtomicLong nodeQueued;
  private final long maxNodeQueued;
  private volatile boolean overflowed;

  SendQueue(long maxQueued) {
    this(maxQueued, new AtomicLong(), Long.MAX_VALUE);
  }

  /** {@code nodeQueued}: what every client of the node has queued, bounded by {@code maxNodeQueued}. */
  SendQueue(long maxQueued, AtomicLong nodeQueued, long maxNodeQueued) {
    this.maxQueued = maxQueued;
    this.nodeQueued = nodeQueued;
    this.maxNodeQueued = maxNodeQueued;
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
    // a frame larger than the client's own bound still goes to a client with nothing queued; the
    // node's bound holds for everyone, so clients that never read cannot add up past it
    if (before > 0 && before + size > maxQueued || nodeQueued.get() + size > maxNodeQueued) {
      overflowed = true; // this client lags while the node's budget is spent: it is the one to let go
      return Outcome.OVERFLOWED;
    }
    queued.addAndGet(size);
    nodeQueued.addAndGet(size);
    write.get().onComplete(ar -> {
      queued.addAndGet(-size);
      nodeQueued.addAndGet(-size);
    });
    return Outcome.SENT;
  }
}
