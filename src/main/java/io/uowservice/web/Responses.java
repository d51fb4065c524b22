package io.uowservice.web;

import io.uowservice.api.Problem;
import io.uowservice.security.SecurityAudit;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of HTTP answers, for the REST routes, the security handlers and the live-update
 * endpoints alike: JSON bodies, and RFC 9457 problems (clipped, audited, 503s with Retry-After,
 * the connection closed when the body was never read).
 */
public final class Responses {

  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  public static void json(RoutingContext ctx, int status, JsonArray body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  /** The outcome of {@code result}: {@code view} of its value with {@code status} (204: no body), or its problem. */
  public static <T> void reply(RoutingContext ctx, Future<T> result, int status, Function<T, ?> view) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
      } else if (status == 204) {
        ctx.response().setStatusCode(204).end();
      } else {
        Object body = view.apply(ar.result()); // applied once: a view may build its answer
        if (body instanceof JsonArray array) {
          json(ctx, status, array);
        } else {
          json(ctx, status, (JsonObject) body);
        }
      }
    });
  }

  /** 201 with the created resource and its {@code Location}, or the problem. */
  public static void created(RoutingContext ctx, Future<JsonObject> result, Function<JsonObject, String> location) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        problem(ctx, Problem.from(ar.cause()));
        return;
      }
      ctx.response().putHeader(HttpHeaders.LOCATION, location.apply(ar.result()));
      json(ctx, 201, ar.result());
    });
  }

  public static void problem(RoutingContext ctx, Problem problem) {
    if (ctx.response().ended()) {
      return;
    }
    // HTTP/1.x only: an HTTP/2 stream ends with its response, and the connection carries other streams
    boolean unread = !ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2 && carriesBody(ctx);
    if (unread) {
      // answered before its body was read: the connection is closed, the rest never read
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (problem.status() >= 500) {
      LOG.warn("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), problem.status(), problem.detail());
    } else if (SecurityAudit.isDenial(problem.status())) {
      SecurityAudit.of(ctx.vertx()).denied(ctx, problem.status(), problem.slug());
    }
    // clipped: a hostile path or field name is not echoed back in full
    JsonObject body = problem.toJson().put("instance", clip(ctx.request().path(), 256));
    body.put("detail", clip(body.getString("detail"), 512));
    if (problem.status() == 503 && !ctx.response().headers().contains(HttpHeaders.RETRY_AFTER)) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    ctx.response().setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .end(body.toBuffer())
        .onComplete(ar -> {
          if (unread && ctx.request().connection() != null) {
            ctx.request().connection().close();
          }
        });
  }

  /** A request with a body to skip: a Content-Length above 0, or a chunked one (a GET or an upgrade has none). */
  private static boolean carriesBody(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    return ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null || length != null && !length.trim().equals("0");
  }

  public static String clip(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max) + "...";
  }
}
