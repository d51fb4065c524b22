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

  /**
   * For a commit or a transaction: a reply that did not come in time says nothing about the
   * outcome (the commit may still land), so it is reported as unknown, never as a failure to retry.
   */
  public static <T> Future<T> outcomeUnknownOnTimeout(Future<T> reply) {
    return reply.recover(err -> Future.failedFuture(err instanceof io.vertx.core.eventbus.ReplyException re
        && re.failureType() == io.vertx.core.eventbus.ReplyFailure.TIMEOUT
        ? new io.uowservice.domain.UowException.OutcomeUnknown("the commit did not answer in time; it may or may not "
            + "have been written: read the unit's summary (GET /api/v1/units-of-work/{id}), or retry with the same "
            + "Idempotency-Key")
        : err));
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
