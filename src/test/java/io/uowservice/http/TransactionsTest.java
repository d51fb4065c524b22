package io.uowservice.http;

import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("One-round-trip transactions: temp ids, idempotent retries, savepoints")
class TransactionsTest {

  private static ServiceHarness service;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    service = ServiceHarness.start(v, Map.of("UOW_UNIT_OF_WORK__MAX_ENTITIES", "50"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static JsonObject op(String op, String type) {
    return new JsonObject().put("op", op).put("type", type);
  }

  /** A user, a product, an order referencing both by lid and a payment referencing the order by lid. */
  private static JsonObject checkout(String sku) {
    return new JsonObject().put("operations", new JsonArray()
        .add(op("new", "payment").put("name", "pay").put("attributes", new JsonObject()
            .put("order_id", new JsonObject().put("lid", "o1")).put("amount", "25.00").put("currency", "EUR")
            .put("method", "card")))
        .add(op("new", "order").put("lid", "o1").put("name", "order").put("attributes", new JsonObject()
            .put("user_id", new JsonObject().put("lid", "u1")).put("amount", "25.00").put("currency", "EUR")
            .put("items", new JsonArray().add(new JsonObject().put("product_id", new JsonObject().put("lid", "p1"))
                .put("quantity", 2)))))
        .add(op("new", "user").put("lid", "u1").put("name", "buyer"))
        .add(op("new", "product").put("lid", "p1").put("name", "widget").put("attributes", new JsonObject()
            .put("sku", sku).put("price", "12.50"))));
  }

  private static JsonObject resultFor(JsonObject response, String lid) {
    for (Object r : response.getJsonArray("results")) {
      if (lid.equals(((JsonObject) r).getString("lid"))) {
        return (JsonObject) r;
      }
    }
    throw new AssertionError("no result with lid " + lid + " in " + response);
  }

  private static long count(String table) {
    return service.count(table);
  }

  @Test
  void aCheckoutWithTempIdsCommitsAtomicallyInOneRoundTrip() {
    Response response = service.post("/api/v1/transactions", checkout(unique("sku")));

    assertThat(response.status()).as(response.toString()).isEqualTo(200);
    JsonObject body = response.json();
    assertThat(body.getString("transaction_id")).isNotBlank();
    assertThat(body.getJsonArray("results")).hasSize(4);
    assertThat(body.getValue("duration_ms")).isInstanceOf(Number.class);
    String orderId = resultFor(body, "o1").getString("id");
    String userId = resultFor(body, "u1").getString("id");
    String productId = resultFor(body, "p1").getString("id");
    assertThat(resultFor(body, "o1").getLong("version")).isEqualTo(1L);

    JsonObject order = service.get("/api/v1/entities/order/" + orderId).json();
    assertThat(order.getJsonObject("attributes").getString("user_id")).isEqualTo(userId);
    assertThat(order.getJsonObject("attributes").getJsonArray("items").getJsonObject(0).getString("product_id"))
        .isEqualTo(productId);
    JsonObject payments = service.get("/api/v1/entities/payment?order_id=" + orderId).json();
    assertThat(payments.getJsonArray("items")).hasSize(1);
  }

  @Test
  void oneStaleVersionFailsTheWholeTransactionWith409AndWritesNothing() {
    String sku = unique("sku");
    JsonObject seeded = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", "product").put("lid", "p").put("name", "stocked").put("attributes", new JsonObject()
            .put("sku", sku).put("price", "1.00").put("stock", 5))))).json();
    String productId = resultFor(seeded, "p").getString("id");
    long productsBefore = count("products");
    long usersBefore = count("users");

    JsonObject transaction = checkout(unique("sku"));
    transaction.getJsonArray("operations").add(op("dirty", "product").put("id", productId).put("expected_version", 3)
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 4))));
    Response response = service.post("/api/v1/transactions", transaction);

    assertThat(response.status()).isEqualTo(409);
    assertThat(response.json().getJsonArray("conflicts")).singleElement().satisfies(c -> {
      JsonObject conflict = (JsonObject) c;
      assertThat(conflict.getString("id")).isEqualTo(productId);
      assertThat(conflict.getLong("expected_version")).isEqualTo(3L);
      assertThat(conflict.getLong("actual_version")).isEqualTo(1L);
    });
    assertThat(count("products")).isEqualTo(productsBefore);
    assertThat(count("users")).isEqualTo(usersBefore);
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyReplaysTheFirstResponseAndWritesNothingMore() {
    JsonObject body = checkout(unique("sku"));
    Map<String, String> key = Map.of("Idempotency-Key", unique("key"));
    Response first = service.post("/api/v1/transactions", body, key);
    assertThat(first.status()).isEqualTo(200);
    long orders = count("orders");
    long idsRows = count("entity_ids");

    Response retry = service.post("/api/v1/transactions", body, key);

    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.raw().bodyAsString()).isEqualTo(first.raw().bodyAsString());
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(count("orders")).isEqualTo(orders);
    assertThat(count("entity_ids")).isEqualTo(idsRows);
  }

  @Test
  void theSameKeyWithADifferentBodyIs422() {
    Map<String, String> key = Map.of("Idempotency-Key", unique("key"));
    assertThat(service.post("/api/v1/transactions", checkout(unique("sku")), key).status()).isEqualTo(200);

    Response other = service.post("/api/v1/transactions", checkout(unique("sku")), key);

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.json().getString("detail")).contains("Idempotency-Key");
  }

  @Test
  void twentyConcurrentRequestsWithOneKeyExecuteOnce() {
    JsonObject body = checkout(unique("sku"));
    String key = unique("key");
    long ordersBefore = count("orders");
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.config().http().port()));
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(client.post("/api/v1/transactions").putHeader("Idempotency-Key", key)
          .putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()));
    }
    ServiceHarness.await(Future.join(calls));

    assertThat(count("orders") - ordersBefore).as("executed exactly once").isEqualTo(1L);
    List<String> bodies = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      HttpResponse<Buffer> response = call.result();
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(200, 409);
      if (response.statusCode() == 200) {
        bodies.add(response.bodyAsString());
      }
    }
    assertThat(bodies).isNotEmpty();
    assertThat(bodies).as("every success is the one execution's response").containsOnly(bodies.get(0));
    client.close();
  }

  @Test
  void anUnknownLidOrALidDefinedTwiceIs422NamingIt() {
    Response unknown = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", "order").put("name", "o").put("attributes", new JsonObject()
            .put("user_id", new JsonObject().put("lid", "ghost")).put("amount", "1.00").put("currency", "EUR")))));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().getString("detail")).contains("ghost");
    assertThat(unknown.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .startsWith("operations[0].");

    Response twice = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", "user").put("lid", "dup").put("name", "a"))
        .add(op("new", "user").put("lid", "dup").put("name", "b"))));
    assertThat(twice.status()).isEqualTo(422);
    assertThat(twice.json().getString("detail")).contains("dup");
  }

  @Test
  void aCycleAmongNewEntitiesIs422NamingTheCycle() {
    String type = "employee_" + UUID.randomUUID().toString().substring(0, 6);
    assertThat(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", type).put("name", "Staff")
        .put("references", new JsonObject().put("manager_id", type))).status()).isEqualTo(201);

    Response cycle = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", type).put("lid", "alice").put("name", "Alice")
            .put("attributes", new JsonObject().put("manager_id", new JsonObject().put("lid", "bob"))))
        .add(op("new", type).put("lid", "bob").put("name", "Bob")
            .put("attributes", new JsonObject().put("manager_id", new JsonObject().put("lid", "alice"))))));

    assertThat(cycle.status()).isEqualTo(422);
    assertThat(cycle.json().getString("detail")).contains("cycle").contains("alice").contains("bob");

    Response chain = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", type).put("lid", "worker").put("name", "Worker")
            .put("attributes", new JsonObject().put("manager_id", new JsonObject().put("lid", "boss"))))
        .add(op("new", type).put("lid", "boss").put("name", "Boss"))));
    assertThat(chain.status()).as("a chain is ordered, referenced rows first").isEqualTo(200);
    String worker = resultFor(chain.json(), "worker").getString("id");
    String boss = resultFor(chain.json(), "boss").getString("id");
    assertThat(service.get("/api/v1/entities/" + type + "/" + worker).json().getJsonObject("attributes")
        .getString("manager_id")).isEqualTo(boss);

    Response dangling = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", type).put("name", "Orphan").put("attributes", new JsonObject().put("manager_id", "nobody")))));
    assertThat(dangling.status()).as("declared references are checked at commit").isEqualTo(422);
  }

  @Test
  void malformedTransactionsAre4xxAndWriteNothing() {
    long users = count("users");
    assertThat(service.postRaw("/api/v1/transactions", "{").status()).isEqualTo(400);
    // the shape is fixed by openapi.yaml, so schema validation answers these first (400)
    assertThat(service.post("/api/v1/transactions", new JsonObject()).status()).isEqualTo(400);
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray())).status())
        .isEqualTo(400);
    Response upsert = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "upsert"))));
    assertThat(upsert.status()).isEqualTo(400);
    assertThat(upsert.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("operations[0].op");
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("new", "user").put("name", "u").put("colour", "red")))).status())
        .as("unknown fields of an operation").isEqualTo(400);
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(op("dirty", "user").put("id", "missing").put("changes", new JsonObject())))).status()).isEqualTo(404);
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 51; i++) {
      tooMany.add(op("new", "user").put("name", "u" + i));
    }
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", tooMany)).status())
        .isEqualTo(422);
    assertThat(service.post("/api/v1/transactions", checkout(unique("sku")), Map.of("Idempotency-Key", "bad key"))
        .status()).isEqualTo(400);
    assertThat(count("users")).isEqualTo(users);
  }

  @Test
  void aSessionUnitResolvesLidsOfEarlierRegistrations() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    Response user = service.post(base + "/entities/new", new JsonObject().put("type", "user").put("lid", "me")
        .put("name", "me"));
    assertThat(user.json().getString("lid")).isEqualTo("me");
    Response order = service.post(base + "/entities/new", new JsonObject().put("type", "order").put("name", "o")
        .put("attributes", new JsonObject().put("user_id", new JsonObject().put("lid", "me")).put("amount", "3.00")
            .put("currency", "USD")));

    assertThat(order.status()).isEqualTo(201);
    assertThat(order.json().getJsonObject("attributes").getString("user_id")).isEqualTo(user.json().getString("id"));
    assertThat(service.post(base + "/entities/new", new JsonObject().put("type", "user").put("lid", "me")
        .put("name", "again")).status()).isEqualTo(422);
    assertThat(service.post(base + "/commit").status()).isEqualTo(200);
  }

  @Test
  void aCommitRetriedWithItsIdempotencyKeyIsReplayed() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("name", "once"));
    Map<String, String> key = Map.of("Idempotency-Key", unique("commit"));

    Response first = service.post(base + "/commit", new JsonObject(), key);
    long users = count("users");
    Response retry = service.post(base + "/commit", new JsonObject(), key);

    assertThat(first.status()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.raw().bodyAsString()).isEqualTo(first.raw().bodyAsString());
    assertThat(count("users")).isEqualTo(users);
  }

  @Test
  void aCommitsIdempotencyKeyIsBoundToTheContentItCommitted() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("name", "once"));
    Map<String, String> key = Map.of("Idempotency-Key", unique("commit"));
    assertThat(service.post(base + "/commit", new JsonObject(), key).status()).isEqualTo(200);
    long users = count("users");
    String later = unique("u");
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("id", later).put("name", "later"));

    Response reused = service.post(base + "/commit", new JsonObject(), key);

    assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
    assertThat(reused.header("Idempotent-Replayed")).isNull();
    assertThat(reused.json().getString("detail")).contains("Idempotency-Key");
    assertThat(count("users")).as("nothing replayed, nothing written").isEqualTo(users);
    assertThat(service.get(base).json().getJsonObject("counts").getInteger("new"))
        .as("the unit keeps what was registered since").isEqualTo(1);
    Response fresh = service.post(base + "/commit", new JsonObject(), Map.of("Idempotency-Key", unique("commit")));
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(service.get("/api/v1/entities/user/" + later).status()).isEqualTo(200);
  }

  @Test
  void aReplayedCommitOfTheSameContentLeavesTheUnitEmptyAsTheFirstCommitDid() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    JsonObject user = new JsonObject().put("type", "user").put("id", unique("u")).put("name", "same");
    service.post(base + "/entities/new", user);
    Map<String, String> key = Map.of("Idempotency-Key", unique("commit"));
    assertThat(service.post(base + "/commit", new JsonObject(), key).status()).isEqualTo(200);
    long users = count("users");

    // a client that retries its whole flow: the same registration, the same commit, the same key
    service.post(base + "/entities/new", user);
    Response retry = service.post(base + "/commit", new JsonObject(), key);

    assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(count("users")).isEqualTo(users);
    assertThat(service.get(base).json().getInteger("size")).isZero();
  }

  @Test
  void aUnitsSummaryTellsItsLastCommitsOutcome() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    assertThat(service.get(base).json().getValue("last_commit")).isNull();
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("name", "once"));
    Response commit = service.post(base + "/commit");

    JsonObject last = service.get(base).json().getJsonObject("last_commit");

    assertThat(last.getString("status")).isEqualTo("committed");
    assertThat(last.getJsonObject("result")).isEqualTo(commit.json());
    service.post(base + "/entities/new", new JsonObject().put("type", "order").put("name", "no user")
        .put("attributes", new JsonObject().put("user_id", "nobody").put("amount", "1.00").put("currency", "EUR")));
    assertThat(service.post(base + "/commit").status()).isEqualTo(422);
    last = service.get(base).json().getJsonObject("last_commit");
    assertThat(last.getString("status")).isEqualTo("failed");
    assertThat(last.getJsonObject("problem").getInteger("status")).isEqualTo(422);
  }

  @Test
  void rollingBackToASavepointRestoresExactlyTheEarlierSets() {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String base = "/api/v1/units-of-work/" + unit;
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("id", unique("u")).put("name", "a"));
    JsonObject before = service.get(base + "/entities").json();
    Response savepoint = service.post(base + "/savepoints", new JsonObject().put("name", "sp1"));
    assertThat(savepoint.status()).isEqualTo(201);
    assertThat(savepoint.json().getJsonObject("counts").getInteger("new")).isEqualTo(1);

    String second = unique("u");
    service.post(base + "/entities/new", new JsonObject().put("type", "user").put("id", second).put("name", "b"));
    String firstId = before.getJsonArray("new").getJsonObject(0).getString("id");
    service.post(base + "/entities/dirty", new JsonObject().put("entity_id", firstId)
        .put("changes", new JsonObject().put("name", "changed")));
    service.post(base + "/savepoints", new JsonObject().put("name", "sp2"));
    assertThat(service.get(base + "/savepoints").array()).hasSize(2);

    Response rollback = service.post(base + "/rollback", new JsonObject().put("to_savepoint", "sp1"));

    assertThat(rollback.status()).isEqualTo(200);
    assertThat(service.get(base + "/entities").json()).isEqualTo(before);
    assertThat(service.get(base + "/savepoints").array()).extracting(o -> ((JsonObject) o).getString("name"))
        .containsExactly("sp1");
    assertThat(service.post(base + "/rollback", new JsonObject().put("to_savepoint", "sp2")).status())
        .as("later savepoints are dropped").isEqualTo(404);
    assertThat(service.post(base + "/savepoints", new JsonObject().put("name", "no spaces")).status()).isEqualTo(422);

    assertThat(service.post(base + "/rollback").json().getJsonObject("discarded").getInteger("new")).isEqualTo(1);
    assertThat(service.get(base + "/savepoints").array()).isEmpty();
  }
}
