package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;

/** Answers an event-bus request from a future: the value, or the failure as a problem. */
public final class Replies {

  /** Header on a reply replayed from an idempotency record. */
  public static final String REPLAYED = "replayed";

  /** A reply body with event-bus headers (e.g. {@link #REPLAYED}). */
  public record WithHeaders(Object body, java.util.Map<String, String> headers) {
  }

  private Replies() {
  }

  public static void answer(Message<?> message, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded() && ar.result() instanceof WithHeaders reply) {
        io.vertx.core.eventbus.DeliveryOptions options = new io.vertx.core.eventbus.DeliveryOptions();
        reply.headers().forEach(options::addHeader);
        message.reply(reply.body(), options);
      } else if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        Problem problem = Problem.from(ar.cause());
        message.fail(problem.status(), problem.encoded());
      }
    });
  }

  /** Runs {@code work} and answers with its outcome; a synchronous throw is answered as a failure. */
  public static void answer(Message<?> message, java.util.function.Supplier<? extends Future<?>> work) {
    Future<?> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    answer(message, result);
  }
}
