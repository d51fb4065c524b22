package io.uowservice.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Purges: a backlog of any size is drained chunk by chunk on a flat stack")
class PurgesTest {

  @Test
  void tenThousandFullChunksDrainWithoutOverflowingTheStack() {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger calls = new AtomicInteger();
      Promise<Long> deleted = Promise.promise();
      vertx.runOnContext(v -> Purges.untilDrained(vertx,
              () -> Future.succeededFuture(calls.incrementAndGet() <= 10_000 ? 5000 : 7), 5000, () -> false)
          .onComplete(deleted));

      assertThat(ServiceHarness.await(deleted.future())).isEqualTo(10_000L * 5000 + 7);
      assertThat(calls.get()).isEqualTo(10_001);
    } finally {
      ServiceHarness.await(vertx.close());
    }
  }

  @Test
  void aStopEndsTheDrainAfterTheChunkInFlight() {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger calls = new AtomicInteger();
      Promise<Long> deleted = Promise.promise();
      vertx.runOnContext(v -> Purges.untilDrained(vertx, () -> Future.succeededFuture(100), 100,
          () -> calls.incrementAndGet() >= 3).onComplete(deleted));

      assertThat(ServiceHarness.await(deleted.future())).isEqualTo(300L);
    } finally {
      ServiceHarness.await(vertx.close());
    }
  }
}
