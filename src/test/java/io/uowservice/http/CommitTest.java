package io.uowservice.http;

import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.Units;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Commit: one transaction, reference order, references and versions checked")
class CommitTest {

  private static ServiceHarness service;
  private static Units units;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx);
    units = new Units(service);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  static JsonObject user(String id) {
    return new JsonObject().put("type", "user").put("id", id).put("name", "user " + id)
        .put("attributes", new JsonObject().put("email", id + "@example.com"));
  }

  static JsonObject product(String id, String sku) {
    return new JsonObject().put("type", "product").put("id", id).put("name", "product " + id)
        .put("attributes", new JsonObject().put("sku", sku).put("price", "12.50").put("stock", 7));
  }

  static JsonObject order(String id, String userId, String productId) {
    return new JsonObject().put("type", "order").put("id", id).put("name", "order " + id)
        .put("attributes", new JsonObject().put("user_id", userId).put("amount", "25.00").put("currency", "EUR")
            .put("items", new JsonArray().add(new JsonObject().put("product_id", productId).put("quantity", 2)
                .put("unit_price", "12.50"))));
  }

  static JsonObject payment(String id, String orderId) {
    return new JsonObject().put("type", "payment").put("id", id).put("name", "payment " + id)
        .put("attributes", new JsonObject().put("order_id", orderId).put("amount", "25.00").put("currency", "EUR")
            .put("method", "card"));
  }

  static long rows(String table, String id) {
    return service.query("SELECT COUNT(*) FROM " + table + " WHERE id = '" + id + "'").get(0).getLong(0);
  }

  /** Commits a user, a product and an order in a fresh unit; returns {userId, productId, orderId}. */
  static String[] committedOrder() {
    String unit = units.open();
    String u = unique("u");
    String p = unique("p");
    String o = unique("o");
    assertThat(units.register(unit, "new", user(u)).status()).isEqualTo(201);
    assertThat(units.register(unit, "new", product(p, unique("sku"))).status()).isEqualTo(201);
    assertThat(units.register(unit, "new", order(o, u, p)).status()).isEqualTo(201);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);
    return new String[] {u, p, o};
  }

  @Test
  void commitWritesAllFourBuiltInTypesInOneTransaction() {
    String unit = units.open();
    String u = unique("u");
    String p = unique("p");
    String o = unique("o");
    String pay = unique("pay");
    // registered in reverse reference order: the planner must reorder
    assertThat(units.register(unit, "new", payment(pay, o)).status()).isEqualTo(201);
    assertThat(units.register(unit, "new", order(o, u, p)).status()).isEqualTo(201);
    assertThat(units.register(unit, "new", product(p, unique("sku"))).status()).isEqualTo(201);
    assertThat(units.register(unit, "new", user(u)).status()).isEqualTo(201);

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    JsonObject result = commit.json();
    assertThat(result.getString("unit_of_work_id")).isEqualTo(unit);
    assertThat(result.getJsonObject("committed")).isEqualTo(new JsonObject().put("new", 4).put("dirty", 0)
        .put("deleted", 0));
    assertThat(result.getJsonArray("entities")).hasSize(4);
    assertThat(result.getValue("duration_ms")).isInstanceOf(Number.class);
    assertThat(rows("users", u) + rows("products", p) + rows("orders", o) + rows("payments", pay)).isEqualTo(4);
    assertThat(service.query("SELECT quantity, unit_price FROM order_items WHERE order_id = '" + o + "'"))
        .singleElement().satisfies(row -> {
          assertThat(row.getInteger("quantity")).isEqualTo(2);
          assertThat(row.getBigDecimal("unit_price")).isEqualByComparingTo("12.50");
        });

    Response stored = service.get("/api/v1/entities/order/" + o);
    assertThat(stored.status()).isEqualTo(200);
    assertThat(stored.header("ETag")).isEqualTo("\"1\"");
    JsonObject attributes = stored.json().getJsonObject("attributes");
    assertThat(attributes.getString("amount")).isEqualTo("25.00");
    assertThat(attributes.getString("user_id")).isEqualTo(u);
    assertThat(attributes.getJsonArray("items").getJsonObject(0).getString("product_id")).isEqualTo(p);
    assertThat(stored.json().getLong("version")).isEqualTo(1L);
    assertThat(stored.json().getString("created_at")).endsWith("Z");

    Response summary = service.get("/api/v1/units-of-work/" + unit);
    assertThat(summary.json().getJsonObject("counts").getInteger("new")).isZero();
  }

  @Test
  void aReferenceToAMissingUserFailsWith422AndWritesNothing() {
    String unit = units.open();
    String u = unique("u");
    String p = unique("p");
    String o = unique("o");
    units.register(unit, "new", user(u));
    units.register(unit, "new", product(p, unique("sku")));
    units.register(unit, "new", order(o, "no-such-user", p));

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).isEqualTo(422);
    assertThat(commit.header("Content-Type")).startsWith("application/problem+json");
    assertThat(commit.json().getJsonArray("errors").encode()).contains("no-such-user").contains("user_id");
    assertThat(rows("users", u) + rows("products", p) + rows("orders", o)).isZero();
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("counts").getInteger("new"))
        .as("the unit stays open with everything registered").isEqualTo(3);
  }

  @Test
  void aDuplicateSkuHalfWayRollsBackTheEarlierWrites() {
    String sku = unique("sku");
    String first = units.open();
    units.register(first, "new", product(unique("p"), sku));
    assertThat(service.post("/api/v1/units-of-work/" + first + "/commit").status()).isEqualTo(200);

    String unit = units.open();
    String u = unique("u");
    String p = unique("p");
    units.register(unit, "new", user(u));
    units.register(unit, "new", product(p, sku));
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).isEqualTo(409);
    assertThat(commit.json().getString("detail")).contains(sku);
    assertThat(rows("users", u)).as("the user written before the product is rolled back").isZero();
    assertThat(rows("products", p)).isZero();
    assertThat(rows("entity_ids", u)).isZero();
  }

  @Test
  void staleVersionIsRejectedWith409AndNothingIsWritten() {
    String[] committed = committedOrder();
    String productId = committed[1];
    String userId = committed[0];

    String slow = units.open();
    units.register(slow, "dirty", new JsonObject().put("entity_id", productId).put("type", "product")
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 1))));
    String newUser = unique("u");
    units.register(slow, "new", user(newUser));
    units.register(slow, "dirty", new JsonObject().put("entity_id", userId)
        .put("changes", new JsonObject().put("name", "renamed")).put("expected_version", 5));

    String fast = units.open();
    units.register(fast, "dirty", new JsonObject().put("entity_id", productId)
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 2))));
    assertThat(service.post("/api/v1/units-of-work/" + fast + "/commit").status()).isEqualTo(200);

    Response commit = service.post("/api/v1/units-of-work/" + slow + "/commit");

    assertThat(commit.status()).isEqualTo(409);
    JsonArray conflicts = commit.json().getJsonArray("conflicts");
    assertThat(conflicts).hasSize(2);
    assertThat(conflicts.getList()).contains(
        new JsonObject().put("type", "product").put("id", productId).put("expected_version", 1)
            .put("actual_version", 2).getMap(),
        new JsonObject().put("type", "user").put("id", userId).put("expected_version", 5)
            .put("actual_version", 1).getMap());
    assertThat(rows("users", newUser)).isZero();
    assertThat(service.query("SELECT stock, version FROM products WHERE id = '" + productId + "'").get(0)
        .getInteger("stock")).isEqualTo(2);
    JsonObject counts = service.get("/api/v1/units-of-work/" + slow).json().getJsonObject("counts");
    assertThat(counts.getInteger("dirty")).as("the unit stays open for the client to fix").isEqualTo(2);
    assertThat(counts.getInteger("new")).isEqualTo(1);
  }

  @Test
  void anUnchangedDirtyEntityStillMatchesItsVersionAndIsBumped() {
    String userId = committedOrder()[0];
    String unit = units.open();
    units.register(unit, "dirty", new JsonObject().put("entity_id", userId).put("changes", new JsonObject()));

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    assertThat(commit.json().getJsonArray("entities").getJsonObject(0).getLong("version")).isEqualTo(2L);
    assertThat(service.get("/api/v1/entities/user/" + userId).json().getLong("version")).isEqualTo(2L);
  }

  @Test
  void deletesRunInReverseReferenceOrder() {
    String[] ids = committedOrder();
    String pay = unique("pay");
    String unit = units.open();
    units.register(unit, "new", payment(pay, ids[2]));
    service.post("/api/v1/units-of-work/" + unit + "/commit");

    String deleting = units.open();
    for (String[] e : new String[][] {{"user", ids[0]}, {"order", ids[2]}, {"payment", pay}, {"product", ids[1]}}) {
      assertThat(units.register(deleting, "deleted", new JsonObject().put("entity_id", e[1]).put("type", e[0])).status())
          .isEqualTo(200);
    }
    Response commit = service.post("/api/v1/units-of-work/" + deleting + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    assertThat(commit.json().getJsonObject("committed").getInteger("deleted")).isEqualTo(4);
    assertThat(rows("users", ids[0]) + rows("orders", ids[2]) + rows("payments", pay) + rows("products", ids[1]))
        .isZero();
    assertThat(service.get("/api/v1/entities/user/" + ids[0]).status()).isEqualTo(404);
  }

  @Test
  void deletingAUserThatOrdersStillReferenceIs409() {
    String[] ids = committedOrder();
    String unit = units.open();
    units.register(unit, "deleted", new JsonObject().put("entity_id", ids[0]));

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).isEqualTo(409);
    assertThat(rows("users", ids[0])).isEqualTo(1);
  }

  @Test
  void aNewOrderReferencingAUserTheUnitDeletesIs422() {
    String[] ids = committedOrder();
    String unit = units.open();
    units.register(unit, "deleted", new JsonObject().put("entity_id", ids[0]));
    units.register(unit, "new", order(unique("o"), ids[0], ids[1]));

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).isEqualTo(422);
    assertThat(commit.json().getJsonArray("errors").encode()).contains(ids[0]);
  }

  @Test
  void rollbackDiscardsEverythingAndWritesNothing() {
    String unit = units.open();
    String u = unique("u");
    units.register(unit, "new", user(u));
    units.register(unit, "new", product(unique("p"), unique("sku")));

    Response rollback = service.post("/api/v1/units-of-work/" + unit + "/rollback");

    assertThat(rollback.status()).isEqualTo(200);
    assertThat(rollback.json().getString("unit_of_work_id")).isEqualTo(unit);
    assertThat(rollback.json().getJsonObject("discarded").getInteger("new")).isEqualTo(2);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").json().getJsonObject("committed")
        .getInteger("new")).isZero();
    assertThat(rows("users", u)).isZero();
  }

  @Test
  void commitsAreCountedInPrometheusMetrics() {
    committedOrder();

    Response metrics = service.get("/metrics");

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.raw().bodyAsString()).contains("uow_commits_total{outcome=\"committed\"}")
        .contains("uow_commit_duration_seconds_bucket");
  }

  @Test
  void anEmptyCommitSucceedsWithNothingWritten() {
    Response commit = service.post("/api/v1/units-of-work/" + units.open() + "/commit");
    assertThat(commit.status()).isEqualTo(200);
    assertThat(commit.json().getJsonArray("entities")).isEmpty();
  }

  @Test
  void customAndRuntimeTypesCommitInTheSameTransaction() {
    String typeName = "ticket_" + UUID.randomUUID().toString().substring(0, 6).replace('-', '_');
    Response registered = service.post("/api/v1/repositories/", new JsonObject().put("entity_type", typeName)
        .put("name", "Tickets").put("schema", new JsonObject().put("type", "object")
            .put("required", new JsonArray().add("priority"))
            .put("properties", new JsonObject().put("priority", new JsonObject().put("type", "integer")))));
    assertThat(registered.status()).as(registered.toString()).isEqualTo(201);

    String unit = units.open();
    Response invalid = units.register(unit, "new", new JsonObject().put("type", typeName).put("name", "t1")
        .put("attributes", new JsonObject().put("priority", "high")));
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.json().getJsonArray("errors").encode()).contains("priority");

    String ticket = unique("t");
    String note = unique("n");
    units.register(unit, "new", new JsonObject().put("type", typeName).put("id", ticket).put("name", "t1")
        .put("attributes", new JsonObject().put("priority", 3)));
    units.register(unit, "new", new JsonObject().put("id", note).put("name", "a note")
        .put("attributes", new JsonObject().put("anything", new JsonObject().put("goes", true))));
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    assertThat(service.get("/api/v1/entities/" + typeName + "/" + ticket).json().getJsonObject("attributes")
        .getInteger("priority")).isEqualTo(3);
    assertThat(service.get("/api/v1/entities/custom/" + note).json().getString("type")).isEqualTo("custom");
    assertThat(service.get("/api/v1/entities/" + typeName + "?priority=3").json().getJsonArray("items"))
        .hasSize(1);
    assertThat(service.get("/api/v1/repositories/" + typeName).json().getLong("count")).isEqualTo(1L);
  }
}
