package io.uowservice.bus;

import io.uowservice.api.Problem;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Supplier;

/** Both ends of a reply: answering a request from a future, and reading what a timeout means. */
final class Replies {

  private Replies() {
  }

  /**
   * For a commit or a transaction: a reply that did not come in time says nothing about the
   * outcome (the commit may still land), so it is reported as unknown, never as a failure to retry.
   */
  static <T> Future<T> outcomeUnknownOnTimeout(Future<T> reply) {
    return reply.recover(err -> Future.failedFuture(err instanceof ReplyException re
        && re.failureType() == ReplyFailure.TIMEOUT
        ? new UowException.OutcomeUnknown("the commit did not answer in time; it may or may not have been written: "
            + "read the unit's summary (GET /api/v1/units-of-work/{id}), or retry with the same Idempotency-Key")
        : err));
  }

  /**
   * Runs {@code work} and answers with its outcome: the value (a {@link UnitService.Reply} as its
   * body with the replayed header), or the failure as a problem — a synchronous throw too.
   */
  static void answer(Message<?> message, Supplier<? extends Future<?>> work) {
    answer(message, work, false);
  }

  /** As {@link #answer(Message, Supplier)}; {@code fresh}: a JSON reply is built for this caller only, and sent as is. */
  static void answer(Message<?> message, Supplier<? extends Future<?>> work, boolean fresh) {
    Future<?> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded() && ar.result() instanceof UnitService.Reply reply) {
        DeliveryOptions options = fresh ? new DeliveryOptions().setCodecName(SharedJsonCodec.NAME) : new DeliveryOptions();
        if (reply.replayed()) {
          options.addHeader(Wire.REPLAYED, "true");
        }
        message.reply(reply.body(), options);
      } else if (ar.succeeded() && fresh && ar.result() instanceof JsonObject json) {
        message.reply(json, new DeliveryOptions().setCodecName(SharedJsonCodec.NAME));
      } else if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        Problem problem = Problem.from(ar.cause());
        message.fail(problem.status(), problem.encoded());
      }
    });
  }
}
