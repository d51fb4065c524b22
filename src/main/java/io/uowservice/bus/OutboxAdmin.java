package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The outbox's dead letters: events Kafka refused for good, listed and retried by an admin. */
public interface OutboxAdmin {

  Future<JsonArray> deadLetters(int limit);

  /** Puts dead letter {@code seq} back in line; fails 404 when there is none. */
  Future<JsonObject> retry(long seq);

  Future<Long> countDeadLetters();
}
