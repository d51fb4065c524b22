package io.uowservice.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** The role each route needs, each check followed by the request's validation against openapi.yaml. */
record Guards(Handler<RoutingContext> reader, Handler<RoutingContext> writer, Handler<RoutingContext> admin) {
}
