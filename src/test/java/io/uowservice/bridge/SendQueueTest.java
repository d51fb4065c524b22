package io.uowservice.bridge;

import static io.uowservice.bridge.SendQueue.Outcome.DROPPED;
import static io.uowservice.bridge.SendQueue.Outcome.OVERFLOWED;
import static io.uowservice.bridge.SendQueue.Outcome.SENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SendQueue: a live client's unsent frames, bounded")
class SendQueueTest {

  private final List<Promise<Void>> writes = new ArrayList<>();

  private Future<Void> write() {
    Promise<Void> write = Promise.promise();
    writes.add(write);
    return write.future();
  }

  @Test
  void framesAreWrittenWhileTheUnsentOnesFitTheBound() {
    SendQueue queue = new SendQueue(100);

    assertThat(queue.offer(60, this::write)).isEqualTo(SENT);
    assertThat(queue.offer(40, this::write)).isEqualTo(SENT);
    assertThat(writes).hasSize(2);
  }

  @Test
  void completedWritesMakeRoomAgain() {
    SendQueue queue = new SendQueue(100);
    queue.offer(100, this::write);
    writes.get(0).complete();

    assertThat(queue.offer(100, this::write)).isEqualTo(SENT);
  }

  @Test
  void theFrameThatWouldPassTheBoundOverflowsAndEveryLaterOneIsDropped() {
    SendQueue queue = new SendQueue(100);
    queue.offer(60, this::write);

    assertThat(queue.offer(41, this::write)).isEqualTo(OVERFLOWED);
    writes.get(0).complete();
    assertThat(queue.offer(1, this::write)).as("even once there is room: the client is being closed")
        .isEqualTo(DROPPED);
    assertThat(writes).hasSize(1);
  }

  @Test
  void aFrameLargerThanTheBoundStillReachesAClientWithNothingQueued() {
    SendQueue queue = new SendQueue(100);

    assertThat(queue.offer(500, this::write)).isEqualTo(SENT);
    assertThat(queue.offer(1, this::write)).isEqualTo(OVERFLOWED);
  }

  @Test
  void aFailedWriteFreesItsRoomToo() {
    SendQueue queue = new SendQueue(100);
    queue.offer(100, this::write);
    writes.get(0).fail("connection reset");

    assertThat(queue.offer(100, this::write)).isEqualTo(SENT);
  }

  @Test
  void clientsThatNeverReadCannotAddUpPastTheNodesBound() {
    java.util.concurrent.atomic.AtomicLong node = new java.util.concurrent.atomic.AtomicLong();
    SendQueue first = new SendQueue(10_000_000, node, 8192);
    SendQueue second = new SendQueue(10_000_000, node, 8192);
    io.vertx.core.Promise<Void> never = io.vertx.core.Promise.promise();

    assertThat(first.offer(8000, never::future)).isEqualTo(SendQueue.Outcome.SENT);
    assertThat(second.offer(8000, never::future)).as("an empty client too, once the node is full")
        .isEqualTo(SendQueue.Outcome.OVERFLOWED);
    assertThat(node.get()).isEqualTo(8000);
  }
}
