package io.uowservice.http;

import io.uowservice.api.Problem;
import io.uowservice.bus.Idempotency;
import io.uowservice.web.Responses;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** What the routes read from a request: its JSON body, its Idempotency-Key; each answers 400 itself. */
final class Requests {

  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  /** The body as contract validation decoded it (a decoded JSON value), so a route does not decode it again. */
  static final String DECODED_BODY = "uow.decoded-body";

  private Requests() {
  }

  /** The request body as a JSON object, or null after answering 400. */
  static JsonObject jsonBody(RoutingContext ctx) {
    if (ctx.get(DECODED_BODY) instanceof JsonObject decoded) {
      return decoded;
    }
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      Responses.problem(ctx, Problem.badRequest("a JSON object body is required"));
      return null;
    }
    try {
      Object parsed = Json.decodeValue(text);
      if (parsed instanceof JsonObject obj) {
        return obj;
      }
      Responses.problem(ctx, Problem.badRequest("the body must be a JSON object"));
    } catch (DecodeException e) {
      Responses.problem(ctx, Problem.badRequest("the body is not valid JSON"));
    }
    return null;
  }

  /** The key a request carries, bound to {@code requestHash}; none (null) without the header. */
  record Key(Idempotency idempotency, boolean valid) {
  }

  /**
   * The Idempotency-Key header and the hash of the request it guards (computed only when a key is
   * sent: hashing a transaction's canonical text is work); {@code valid} false after answering 400.
   */
  static Key idempotency(RoutingContext ctx, java.util.function.Supplier<String> requestHash) {
    String key = ctx.request().getHeader(IDEMPOTENCY_HEADER);
    if (key == null) {
      return new Key(null, true);
    }
    if (!Idempotency.isValidKey(key)) {
      Responses.problem(ctx, Problem.badRequest(IDEMPOTENCY_HEADER + " must be 1-255 printable ASCII characters"));
      return new Key(null, false);
    }
    return new Key(new Idempotency(key, requestHash.get()), true);
  }

  static String subject(RoutingContext ctx) {
    return AccessControl.subject(ctx);
  }
}
