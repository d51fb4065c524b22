package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Statements of a commit sent without waiting for each other's answers. On one connection they run
 * in the order sent, so a write that must follow another (an order's items after the order) still
 * does, and the commit waits one round trip for all of them instead of one per statement. The
 * outcome is the first failure in the order sent — the one the statements one after the other
 * would have reported. On a pool (no order between connections) they run one after the other.
 *
 * <p>Only for a transaction on a connection whose autocommit is off ({@link Database#commitPool}):
 * a statement sent after one that rolled the transaction back must not commit on its own.
 */
public final class Pipeline {

  private Pipeline() {
  }

  /** {@code step} for each item: all sent at once on a connection, one after the other elsewhere. */
  public static <T> Future<Void> each(SqlClient client, Iterable<T> items,
      Function<? super T, ? extends Future<?>> step) {
    if (!(client instanceof SqlConnection)) {
      return Futures.inOrder(items, step);
    }
    List<Future<?>> sent = new ArrayList<>();
    for (T item : items) {
      sent.add(start(() -> step.apply(item)));
    }
    return firstFailureInOrder(sent);
  }

  /** {@code first}, then {@code second}: both sent at once on a connection. */
  public static Future<Void> then(SqlClient client, Supplier<? extends Future<?>> first,
      Supplier<? extends Future<?>> second) {
    if (!(client instanceof SqlConnection)) {
      return first.get().compose(v -> second.get().<Void>mapEmpty());
    }
    Future<?> a = start(first);
    Future<?> b = start(second);
    return firstFailureInOrder(List.of(a, b));
  }

  /** Completes when all of {@code futures} have: with the first failure in list order, if any. */
  public static Future<Void> firstFailureInOrder(List<? extends Future<?>> futures) {
    return Future.join(futures).transform(ignored -> {
      for (Future<?> f : futures) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  private static Future<?> start(Supplier<? extends Future<?>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
