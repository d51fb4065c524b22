package io.uowservice.repository;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Deleting a backlog in chunks, however long: one chunk after the other until a chunk is not full. */
public final class Purges {

  private Purges() {
  }

  /**
   * Runs {@code chunk} (it deletes at most {@code chunkSize} rows and says how many) until it
   * deletes fewer, or {@code stopped}; completes with the rows deleted. Each chunk starts from the
   * previous one's callback on a fresh stack, never by composing futures, so millions of rows do not
   * nest millions of completions (which overflows the stack).
   */
  public static Future<Long> untilDrained(Vertx vertx, Supplier<Future<Integer>> chunk, int chunkSize,
      BooleanSupplier stopped) {
    Promise<Long> done = Promise.promise();
    step(vertx, chunk, chunkSize, stopped, 0, done);
    return done.future();
  }

  private static void step(Vertx vertx, Supplier<Future<Integer>> chunk, int chunkSize, BooleanSupplier stopped,
      long deletedSoFar, Promise<Long> done) {
    chunk.get().onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (ar.result() >= chunkSize && !stopped.getAsBoolean()) {
        vertx.runOnContext(v -> step(vertx, chunk, chunkSize, stopped, deletedSoFar + ar.result(), done));
      } else {
        done.complete(deletedSoFar + ar.result());
      }
    });
  }
}
