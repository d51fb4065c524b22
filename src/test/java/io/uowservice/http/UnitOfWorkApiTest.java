package io.uowservice.http;

import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.Units;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Units of work: lifecycle, seed paths, identity map")
class UnitOfWorkApiTest {

  private static ServiceHarness service;
  private static Units units;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "2s"));
    units = new Units(service);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static JsonObject product(String id) {
    return new JsonObject().put("type", "product").put("id", id).put("name", "product " + id)
        .put("attributes", new JsonObject().put("sku", unique("sku")).put("price", "3.00"));
  }

  /** A product committed through its own unit. */
  private static String storedProduct() {
    String unit = units.open();
    String id = unique("p");
    units.register(unit, "new", product(id));
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);
    return id;
  }

  @Test
  void creatingAUnitAnswers201WithItsLocation() {
    Response created = service.post("/api/v1/units-of-work");

    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(created.header("Location")).isEqualTo("/api/v1/units-of-work/" + id);
    assertThat(created.json().getString("created_at")).isNotBlank();
    assertThat(created.json().getString("expires_at")).isNotBlank();

    Response summary = service.get("/api/v1/units-of-work/" + id);
    assertThat(summary.status()).isEqualTo(200);
    assertThat(summary.json().getString("state")).isEqualTo("open");
    assertThat(summary.json().getJsonObject("counts")).isEqualTo(new JsonObject().put("new", 0).put("dirty", 0)
        .put("deleted", 0).put("clean", 0));
  }

  @Test
  void anUnknownUnitIs404Everywhere() {
    String missing = UUID.randomUUID().toString();
    assertThat(service.get("/api/v1/units-of-work/" + missing).status()).isEqualTo(404);
    assertThat(service.post("/api/v1/units-of-work/" + missing + "/commit").status()).isEqualTo(404);
    Response viaHeader = service.send(HttpMethod.GET, "/api/v1/unit-of-work/entities", null,
        Map.of("X-Unit-Of-Work-Id", missing));
    assertThat(viaHeader.status()).isEqualTo(404);
    assertThat(viaHeader.header("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void deletingAUnitDiscardsIt() {
    String unit = units.open();
    units.register(unit, "new", product(unique("p")));

    assertThat(service.delete("/api/v1/units-of-work/" + unit).status()).isEqualTo(204);
    assertThat(service.get("/api/v1/units-of-work/" + unit).status()).isEqualTo(404);
  }

  @Test
  void theSeedPathsActOnTheUnitNamedByTheHeader() {
    String unit = units.open();
    String id = unique("p");
    Response registered = service.post("/api/v1/unit-of-work/entities/new", product(id),
        Map.of("X-Unit-Of-Work-Id", unit));

    assertThat(registered.status()).isEqualTo(201);
    assertThat(registered.json().getString("state")).isEqualTo("new");
    assertThat(service.get("/api/v1/units-of-work/" + unit + "/entities/new").array()).hasSize(1);
    Response commit = service.post("/api/v1/unit-of-work/commit", new JsonObject(), Map.of("X-Unit-Of-Work-Id", unit));
    assertThat(commit.status()).isEqualTo(200);
    assertThat(commit.json().getString("unit_of_work_id")).isEqualTo(unit);
  }

  @Test
  void theSeedPathsWithoutAHeaderShareTheCallersDefaultUnit() {
    assertThat(service.delete("/api/v1/unit-of-work/entities").status()).isEqualTo(204);
    String id = unique("p");
    assertThat(service.post("/api/v1/unit-of-work/entities/new", product(id)).status()).isEqualTo(201);

    JsonObject sets = service.get("/api/v1/unit-of-work/entities").json();
    assertThat(sets.fieldNames()).containsExactlyInAnyOrder("new", "dirty", "deleted", "clean");
    assertThat(sets.getJsonArray("new")).extracting(o -> ((JsonObject) o).getString("id")).contains(id);
    assertThat(service.get("/api/v1/unit-of-work/entities/dirty").array()).isEmpty();

    Response commit = service.post("/api/v1/unit-of-work/commit");
    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    assertThat(service.get("/api/v1/entities/product/" + id).status()).isEqualTo(200);
    assertThat(service.get("/api/v1/unit-of-work/entities/new").array()).as("the unit is empty and reusable")
        .isEmpty();
  }

  @Test
  void newThenDirtyStaysNewWithTheChangesMerged() {
    String unit = units.open();
    String id = unique("p");
    units.register(unit, "new", product(id));

    Response dirty = units.register(unit, "dirty", new JsonObject().put("entity_id", id)
        .put("changes", new JsonObject().put("name", "renamed").put("attributes", new JsonObject().put("stock", 4))));

    assertThat(dirty.status()).isEqualTo(200);
    assertThat(dirty.json().getString("state")).isEqualTo("new");
    assertThat(dirty.json().getString("name")).isEqualTo("renamed");
    assertThat(dirty.json().getJsonObject("attributes").getInteger("stock")).isEqualTo(4);
    assertThat(service.get("/api/v1/units-of-work/" + unit + "/entities/dirty").array()).isEmpty();
  }

  @Test
  void newThenDeletedLeavesTheUnit() {
    String unit = units.open();
    String id = unique("p");
    units.register(unit, "new", product(id));

    assertThat(units.register(unit, "deleted", new JsonObject().put("entity_id", id)).status()).isEqualTo(200);

    JsonObject counts = service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("counts");
    assertThat(counts.getInteger("new") + counts.getInteger("deleted")).isZero();
  }

  @Test
  void dirtyThenDeletedBecomesDeletedAndCannotBecomeDirtyAgain() {
    String id = storedProduct();
    String unit = units.open();
    Response dirty = units.register(unit, "dirty", new JsonObject().put("entity_id", id).put("type", "product")
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 1))));
    assertThat(dirty.json().getString("state")).isEqualTo("dirty");
    assertThat(dirty.json().getLong("version")).isEqualTo(1L);

    assertThat(units.register(unit, "deleted", new JsonObject().put("entity_id", id)).json().getString("state"))
        .isEqualTo("deleted");
    Response again = units.register(unit, "dirty", new JsonObject().put("entity_id", id)
        .put("changes", new JsonObject().put("name", "x")));

    assertThat(again.status()).isEqualTo(409);
    assertThat(service.get("/api/v1/units-of-work/" + unit + "/entities/deleted").array()).hasSize(1);
  }

  @Test
  void cleanTracksAStoredEntityWithoutWritingIt() {
    String id = storedProduct();
    String unit = units.open();

    Response clean = units.register(unit, "clean", new JsonObject().put("entity_id", id));

    assertThat(clean.status()).isEqualTo(200);
    assertThat(clean.json().getString("state")).isEqualTo("clean");
    assertThat(clean.json().getString("type")).isEqualTo("product");
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");
    assertThat(commit.json().getJsonArray("entities")).isEmpty();
    assertThat(service.get("/api/v1/entities/product/" + id).json().getLong("version")).isEqualTo(1L);
  }

  @Test
  void registeringATrackedIdAsNewAgainIs409() {
    String unit = units.open();
    String id = unique("p");
    units.register(unit, "new", product(id));
    assertThat(units.register(unit, "new", product(id)).status()).isEqualTo(409);
  }

  @Test
  void dirtyOrDeletedOnAMissingEntityIs404() {
    String unit = units.open();
    assertThat(units.register(unit, "dirty", new JsonObject().put("entity_id", "nope").put("changes", new JsonObject()))
        .status()).isEqualTo(404);
    assertThat(units.register(unit, "deleted", new JsonObject().put("entity_id", "nope").put("type", "user")).status())
        .isEqualTo(404);
  }

  @Test
  void clearEmptiesTheUnitButKeepsIt() {
    String unit = units.open();
    units.register(unit, "new", product(unique("p")));
    units.register(unit, "clean", new JsonObject().put("entity_id", storedProduct()));

    assertThat(service.delete("/api/v1/units-of-work/" + unit + "/entities").status()).isEqualTo(204);

    Response summary = service.get("/api/v1/units-of-work/" + unit);
    assertThat(summary.status()).isEqualTo(200);
    assertThat(summary.json().getInteger("size")).isZero();
  }

  @Test
  void anIdleUnitExpires() throws InterruptedException {
    String unit = units.open();
    assertThat(service.get("/api/v1/units-of-work/" + unit).status()).isEqualTo(200);
    Thread.sleep(3_500);
    assertThat(service.get("/api/v1/units-of-work/" + unit).status()).isEqualTo(404);
  }

  @Test
  void statsCountUnitsEntitiesAndOutcomes() {
    String unit = units.open();
    units.register(unit, "new", product(unique("p")));
    service.post("/api/v1/units-of-work/" + unit + "/commit");
    String other = units.open();
    units.register(other, "new", product(unique("p")));
    service.post("/api/v1/units-of-work/" + other + "/rollback");

    JsonObject stats = service.get("/api/v1/stats").json();
    assertThat(stats.getLong("commits")).isGreaterThanOrEqualTo(1L);
    assertThat(stats.getLong("rollbacks")).isGreaterThanOrEqualTo(1L);
    assertThat(stats.getJsonObject("units").getLong("open")).isGreaterThanOrEqualTo(2L);
    assertThat(stats.getJsonObject("entities").fieldNames()).contains("new", "dirty", "deleted", "clean");
    assertThat(stats.containsKey("conflicts")).isTrue();
  }

  @Test
  void anUnknownSetNameIs404() {
    String unit = units.open();
    assertThat(units.register(unit, "pending", new JsonObject()).status()).isEqualTo(404);
    assertThat(service.get("/api/v1/units-of-work/" + unit + "/entities/pending").status()).isEqualTo(404);
  }

  @Test
  void entitiesListsShowEveryFieldAndTheState() {
    String unit = units.open();
    String id = unique("p");
    units.register(unit, "new", product(id).put("metadata", new JsonObject().put("source", "test")));

    JsonArray listed = service.get("/api/v1/units-of-work/" + unit + "/entities/new").array();
    JsonObject entity = listed.getJsonObject(0);
    assertThat(entity.fieldNames()).contains("id", "type", "name", "description", "metadata", "active", "version",
        "created_at", "updated_at", "attributes", "state");
    assertThat(entity.getJsonObject("metadata").getString("source")).isEqualTo("test");
    assertThat(entity.getBoolean("active")).isTrue();
  }
}
