package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Lost updates: a unit never writes a copy older than the version it claims to check")
class LostUpdateTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static String storedProduct(String price) {
    String id = "p-" + UUID.randomUUID();
    Response created = service.post("/api/v1/transactions", new JsonObject().put("operations", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "product").put("id", id).put("name", "widget")
            .put("attributes", new JsonObject().put("sku", id).put("price", price).put("stock", 10)))));
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    return id;
  }

  private static Response dirty(String unit, String id, JsonObject changes, Long expectedVersion) {
    JsonObject body = new JsonObject().put("entity_id", id).put("type", "product").put("changes", changes);
    if (expectedVersion != null) {
      body.put("expected_version", expectedVersion);
    }
    return service.post("/api/v1/units-of-work/" + unit + "/entities/dirty", body);
  }

  private static void commitElsewhere(String id, String price) {
    String other = service.post("/api/v1/units-of-work").json().getString("id");
    assertThat(dirty(other, id, new JsonObject().put("attributes", new JsonObject().put("price", price)), null)
        .status()).isEqualTo(200);
    assertThat(service.post("/api/v1/units-of-work/" + other + "/commit").status()).isEqualTo(200);
  }

  @Test
  void claimingANewerVersionForACopyLoadedEarlierIsAConflictNotAnOverwrite() {
    String id = storedProduct("1.00");
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    assertThat(dirty(unit, id, new JsonObject().put("attributes", new JsonObject().put("stock", 9)), null).status())
        .isEqualTo(200);
    commitElsewhere(id, "99.00"); // version 2

    assertThat(dirty(unit, id, new JsonObject().put("attributes", new JsonObject().put("stock", 8)), 2L).status())
        .as("registration is accepted; the check happens at commit").isEqualTo(200);
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(409);
    JsonObject conflict = commit.json().getJsonArray("conflicts").getJsonObject(0);
    assertThat(conflict.getString("id")).isEqualTo(id);
    assertThat(conflict.getLong("expected_version")).isEqualTo(2);
    assertThat(conflict.getLong("actual_version")).isEqualTo(2);
    assertThat(conflict.getLong("held_version")).as("the version of the unit's own copy").isEqualTo(1);
    JsonObject stored = service.get("/api/v1/entities/product/" + id).json();
    assertThat(new java.math.BigDecimal(stored.getJsonObject("attributes").getString("price")))
        .isEqualByComparingTo("99.00");
    assertThat(stored.getLong("version")).isEqualTo(2);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("counts").getInteger("dirty"))
        .as("the unit stays open for the client to fix").isEqualTo(1);
  }

  @Test
  void aStaleCopyIsRefusedForDeletesToo() {
    String id = storedProduct("1.00");
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/clean",
        new JsonObject().put("entity_id", id)).status()).isEqualTo(200);
    commitElsewhere(id, "5.00");

    service.post("/api/v1/units-of-work/" + unit + "/entities/deleted",
        new JsonObject().put("entity_id", id).put("expected_version", 2));
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).isEqualTo(409);
    assertThat(commit.json().getJsonArray("conflicts").getJsonObject(0).getLong("held_version")).isEqualTo(1);
    assertThat(service.get("/api/v1/entities/product/" + id).status()).isEqualTo(200);
  }

  @Test
  void rollingBackAndLoadingAgainWritesOnTopOfTheNewerVersion() {
    String id = storedProduct("1.00");
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    dirty(unit, id, new JsonObject().put("attributes", new JsonObject().put("stock", 9)), null);
    commitElsewhere(id, "99.00");
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(409);

    service.post("/api/v1/units-of-work/" + unit + "/rollback");
    dirty(unit, id, new JsonObject().put("attributes", new JsonObject().put("stock", 9)), 2L);
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    JsonObject stored = service.get("/api/v1/entities/product/" + id).json();
    assertThat(new java.math.BigDecimal(stored.getJsonObject("attributes").getString("price")))
        .isEqualByComparingTo("99.00");
    assertThat(stored.getJsonObject("attributes").getInteger("stock")).isEqualTo(9);
    assertThat(stored.getLong("version")).isEqualTo(3);
  }

  @Test
  void aTransactionLoadingAnEntityAtOneVersionAndClaimingAnotherIsAConflict() {
    String id = storedProduct("1.00");
    commitElsewhere(id, "2.00"); // version 2

    Response stale = service.post("/api/v1/transactions", new JsonObject().put("operations",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("op", "dirty").put("type", "product").put("id", id)
            .put("expected_version", 1).put("changes", new JsonObject().put("attributes",
                new JsonObject().put("stock", 1))))));

    assertThat(stale.status()).isEqualTo(409);
    assertThat(service.get("/api/v1/entities/product/" + id).json().getJsonObject("attributes").getInteger("stock"))
        .isEqualTo(10);
  }
}
