package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;

/** Answers an event-bus request from a future: the value, or the failure as a problem. */
public final class Replies {

  private Replies() {
  }

  public static <T> void answer(Message<?> message, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        Problem problem = Problem.from(ar.cause());
        message.fail(problem.status(), problem.encoded());
      }
    });
  }

  /** Runs {@code work} and answers with its outcome; a synchronous throw is answered as a failure. */
  public static <T> void answer(Message<?> message, java.util.function.Supplier<Future<T>> work) {
    Future<T> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    answer(message, result);
  }
}
