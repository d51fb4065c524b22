package io.uowservice.http;

import io.uowservice.api.Problem;
import io.uowservice.bus.EntityReads;
import io.uowservice.domain.EntityType;
import io.uowservice.web.Responses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Committed data: {@code /entities/{type}} (filtered, paged), {@code /{id}} (GET, HEAD) and {@code /count}. */
final class EntityRoutes {

  private static final String API = HttpVerticle.API;
  private static final int MAX_PAGE = 1000;

  private final EntityReads entities;
  private final Guards guards;

  EntityRoutes(EntityReads entities, Guards guards) {
    this.entities = entities;
    this.guards = guards;
  }

  void mount(Router router) {
    router.get(API + "/entities/:type/count").handler(guards.reader()).handler(this::count);
    router.get(API + "/entities/:type/:id").handler(guards.reader()).handler(this::get);
    router.head(API + "/entities/:type/:id").handler(guards.reader()).handler(this::head);
    router.get(API + "/entities/:type").handler(guards.reader()).handler(this::list);
  }

  private void get(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!validType(ctx, type)) {
      return;
    }
    entities.get(type, ctx.pathParam("id")).onComplete(ar -> {
      if (ar.failed()) {
        Responses.problem(ctx, Problem.from(ar.cause()));
        return;
      }
      ctx.response().putHeader(HttpHeaders.ETAG, "\"" + ar.result().getLong("version") + "\"");
      Responses.json(ctx, 200, ar.result());
    });
  }

  private void head(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!EntityType.isValidName(type)) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    entities.exists(type, ctx.pathParam("id")).onComplete(ar -> ctx.response()
        .setStatusCode(ar.succeeded() ? (ar.result() ? 200 : 404) : Problem.from(ar.cause()).status()).end());
  }

  private void list(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!validType(ctx, type)) {
      return;
    }
    Integer limit = limit(ctx);
    if (limit != null) {
      Responses.reply(ctx, entities.list(type, filters(ctx), limit, ctx.request().getParam("after")), 200,
          Function.identity());
    }
  }

  private void count(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (validType(ctx, type)) {
      Responses.reply(ctx, entities.count(type, filters(ctx)), 200, Function.identity());
    }
  }

  private static boolean validType(RoutingContext ctx, String type) {
    if (EntityType.isValidName(type)) {
      return true;
    }
    Responses.problem(ctx, Problem.notFound("unknown entity type '" + type + "'"));
    return false;
  }

  private static Integer limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    Responses.problem(ctx, Problem.badRequest("limit must be an integer from 1 to " + MAX_PAGE + ", got '" + raw + "'"));
    return null;
  }

  /** Every query parameter but the paging ones is a filter; the first of repeated ones counts. */
  private static Map<String, String> filters(RoutingContext ctx) {
    Map<String, String> filters = new LinkedHashMap<>();
    ctx.queryParams().forEach(e -> {
      if (!e.getKey().equals("limit") && !e.getKey().equals("after")) {
        filters.putIfAbsent(e.getKey(), e.getValue());
      }
    });
    return filters;
  }
}
