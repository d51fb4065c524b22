package io.uowservice.async;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Asynchronous steps run one after the other: the next starts when the previous succeeded. */
public final class Futures {

  private Futures() {
  }

  /** Runs {@code step} for each item in order; fails with the first failure, skipping the rest. */
  public static <T> Future<Void> inOrder(Iterable<T> items, Function<? super T, ? extends Future<?>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> step.apply(item).mapEmpty());
    }
    return chain;
  }

  /** Runs {@code step} over {@code items} {@code size} at a time, one chunk after the other. */
  public static <T> Future<Void> inChunks(List<T> items, int size, Function<List<T>, ? extends Future<?>> step) {
    List<List<T>> chunks = new ArrayList<>();
    for (int from = 0; from < items.size(); from += size) {
      chunks.add(new ArrayList<>(items.subList(from, Math.min(items.size(), from + size))));
    }
    return inOrder(chunks, step);
  }
}
