package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Memory a writer can pin is bounded: bytes per unit, savepoints per unit, units per subject, bytes per node")
class UnitBudgetsTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_UNIT_OF_WORK__MAX_UNIT_BYTES", "300000",
        "UOW_UNIT_OF_WORK__MAX_SAVEPOINTS", "3",
        "UOW_UNIT_OF_WORK__MAX_UNITS_PER_SUBJECT", "4",
        "UOW_UNIT_OF_WORK__MAX_NODE_BYTES", "500000"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static JsonObject entity(int bytes) {
    JsonArray chunks = new JsonArray();
    for (int n = 0; n < bytes; n += 50_000) {
      chunks.add("x".repeat(Math.min(50_000, bytes - n)));
    }
    return new JsonObject().put("name", "heavy").put("attributes", new JsonObject().put("blob", chunks));
  }

  private static Response register(String unit, JsonObject body) {
    return service.post("/api/v1/units-of-work/" + unit + "/entities/new", body);
  }

  private static String open() {
    Response created = service.post("/api/v1/units-of-work");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json().getString("id");
  }

  @Test
  void aUnitHoldsAtMostItsByteBudgetAndSaysSo() {
    String unit = open();
    assertThat(register(unit, entity(120_000)).status()).isEqualTo(201);
    assertThat(register(unit, entity(120_000)).status()).isEqualTo(201);

    Response third = register(unit, entity(120_000));

    assertThat(third.status()).isEqualTo(422);
    assertThat(third.json().getString("detail")).contains("max_unit_bytes");
    JsonObject summary = service.get("/api/v1/units-of-work/" + unit).json();
    assertThat(summary.getInteger("size")).isEqualTo(2);
    assertThat(summary.getLong("bytes")).isBetween(240_000L, 300_000L);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getLong("bytes")).isZero();
    assertThat(register(unit, entity(120_000)).status()).as("room again after the commit").isEqualTo(201);
    service.delete("/api/v1/units-of-work/" + unit);
  }

  @Test
  void copiesOnlyASavepointStillHoldsCountAgainstTheUnit() {
    String unit = open();
    String a = register(unit, entity(120_000)).json().getString("id");
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/savepoints", new JsonObject().put("name", "s0"))
        .status()).isEqualTo(201);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/deleted", new JsonObject().put("entity_id", a))
        .status()).isEqualTo(200);
    assertThat(register(unit, entity(120_000)).status()).isEqualTo(201);

    Response third = register(unit, entity(120_000));

    assertThat(third.status()).as("the deleted copy lives on in s0").isEqualTo(422);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/rollback", new JsonObject().put("to_savepoint", "s0"))
        .status()).isEqualTo(200);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isEqualTo(1);
    service.delete("/api/v1/units-of-work/" + unit);
  }

  @Test
  void aSmallTransactionNamingLargeStoredEntitiesIsRefusedBeforeLoadingThemAll() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Response created = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
          .add(entity(100_000).put("op", "new"))));
      assertThat(created.status()).as(created.toString()).isEqualTo(200);
      ids.add(created.json().getJsonArray("results").getJsonObject(0).getString("id"));
    }
    JsonArray clean = new JsonArray();
    ids.forEach(id -> clean.add(new JsonObject().put("op", "clean").put("id", id)));

    Response refused = service.post("/api/v1/transactions", new JsonObject().put("operations", clean));

    assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
    assertThat(refused.json().getString("detail")).contains("max_unit_bytes");
  }

  @Test
  void savepointsAndMetadataAreBounded() {
    String unit = open();
    for (int i = 0; i < 3; i++) {
      assertThat(service.post("/api/v1/units-of-work/" + unit + "/savepoints", new JsonObject().put("name", "sp" + i))
          .status()).isEqualTo(201);
    }
    Response fourth = service.post("/api/v1/units-of-work/" + unit + "/savepoints", new JsonObject().put("name", "sp3"));
    assertThat(fourth.status()).isEqualTo(422);
    assertThat(fourth.json().getString("detail")).contains("max_savepoints");
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/savepoints", new JsonObject().put("name", "sp1"))
        .status()).as("reusing a name replaces it").isEqualTo(201);

    JsonObject bigMetadata = new JsonObject();
    for (int i = 0; i < 400; i++) {
      bigMetadata.put("k" + i, "v".repeat(50));
    }
    Response metadata = register(unit, new JsonObject().put("name", "m").put("metadata", bigMetadata));
    assertThat(metadata.status()).isEqualTo(422);
    assertThat(metadata.json().getJsonArray("errors").encode()).contains("max_metadata_bytes");
    service.delete("/api/v1/units-of-work/" + unit);
  }

  @Test
  void aSubjectOpensABoundedNumberOfUnitsAndTheNodeABoundedAmountOfData() {
    List<String> opened = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        opened.add(open());
      }
      Response fifth = service.post("/api/v1/units-of-work");
      assertThat(fifth.status()).isEqualTo(422);
      assertThat(fifth.json().getString("detail")).contains("max_units_per_subject");

      assertThat(register(opened.get(0), entity(200_000)).status()).isEqualTo(201);
      assertThat(register(opened.get(1), entity(200_000)).status()).isEqualTo(201);
      assertThat(register(opened.get(2), entity(200_000)).status()).isEqualTo(201);
      Response past = register(opened.get(3), entity(1_000));
      assertThat(past.status()).as(past.toString()).isEqualTo(503);
      assertThat(past.header("Retry-After")).isNotNull();
      assertThat(past.json().getString("detail")).contains("max_node_bytes");
      Response transaction = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
          .add(entity(1_000).put("op", "new"))));
      assertThat(transaction.status()).as("transactions count against the node too").isEqualTo(503);

      service.delete("/api/v1/units-of-work/" + opened.remove(0));
      assertThat(register(opened.get(2), entity(1_000)).status()).as("room again once a unit left").isEqualTo(201);
      assertThat(service.post("/api/v1/units-of-work").status()).as("and a place for a unit").isEqualTo(201);
    } finally {
      opened.forEach(u -> service.delete("/api/v1/units-of-work/" + u));
    }
  }
}
