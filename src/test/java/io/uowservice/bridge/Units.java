package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Units of work built over HTTP for the live-update tests. */
final class Units {

  private final ServiceHarness service;

  Units(ServiceHarness service) {
    this.service = service;
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  String open() {
    Response created = service.post("/api/v1/units-of-work");
    assertThat(created.status()).isEqualTo(201);
    return created.json().getString("id");
  }

  /** Registers {@code entity} as new in {@code unit}. */
  Units add(String unit, JsonObject entity) {
    Response r = service.post("/api/v1/units-of-work/" + unit + "/entities/new", entity);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return this;
  }

  Response commit(String unit) {
    return service.post("/api/v1/units-of-work/" + unit + "/commit");
  }

  void committed(String unit) {
    Response r = commit(unit);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  static JsonObject user(String id) {
    return new JsonObject().put("type", "user").put("id", id).put("name", "user " + id)
        .put("attributes", new JsonObject().put("email", id + "@example.com"));
  }

  static JsonObject product(String id) {
    return new JsonObject().put("type", "product").put("id", id).put("name", "product " + id)
        .put("attributes", new JsonObject().put("sku", unique("sku")).put("price", "3.00"));
  }

  static JsonObject order(String id, String userId) {
    return new JsonObject().put("type", "order").put("id", id).put("name", "order " + id)
        .put("attributes", new JsonObject().put("user_id", userId).put("amount", "3.00").put("currency", "EUR"));
  }
}
