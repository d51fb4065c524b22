package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Concurrent commits on hot rows: canonical lock order, deadlocks retried, bounded lock waits")
class ConcurrentCommitTest {

  private static final int CLIENTS = 32;
  private static final int ROUNDS = 6;
  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_DATABASE__MYSQL__POOL_SIZE", "16",
        "UOW_DATABASE__MYSQL__LOCK_WAIT_TIMEOUT", "2s",
        "UOW_UNIT_OF_WORK__COMMIT_TIMEOUT", "5s",
        "UOW_UNIT_OF_WORK__COMMIT_RETRIES", "20"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static JsonObject op(String op, String type, String id) {
    return new JsonObject().put("op", op).put("type", type).put("id", id);
  }

  private static void create(JsonObject... ops) {
    Response created = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray(List.of(ops))));
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
  }

  @Test
  void thirtyTwoClientsOnAFewHotRowsInRandomOrdersLoseNothingAndNeverDeadlockTheClient(Vertx vertx) {
    List<String> products = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String p = "hot-p-" + UUID.randomUUID();
      String u = "hot-u-" + UUID.randomUUID();
      products.add(p);
      users.add(u);
      create(op("new", "product", p).put("name", p).put("attributes",
              new JsonObject().put("sku", p).put("price", "1.00").put("stock", 100_000)),
          op("new", "user", u).put("name", u));
    }
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.config().http().port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(CLIENTS));
    Map<String, AtomicInteger> acknowledged = new ConcurrentHashMap<>();
    products.forEach(p -> acknowledged.put(p, new AtomicInteger()));
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

    List<Future<Void>> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      Random random = new Random(c);
      Future<Void> chain = Future.succeededFuture();
      for (int r = 0; r < ROUNDS; r++) {
        chain = chain.compose(v -> oneCheckout(client, random, products, users, acknowledged, statuses, unexpected));
      }
      clients.add(chain);
    }
    ServiceHarness.await(Future.all(clients));

    assertThat(unexpected).as("no 5xx, no deadlock 409 while retries remain").isEmpty();
    assertThat(statuses).containsKey(200);
    for (String p : products) {
      long stock = service.query("SELECT stock FROM products WHERE id = '" + p + "'").get(0).getLong(0);
      assertThat(stock).as("stock of %s == initial - acknowledged decrements", p)
          .isEqualTo(100_000L - acknowledged.get(p).get());
    }
    System.out.printf("[concurrency] %d clients x %d checkouts: statuses %s%n", CLIENTS, ROUNDS, statuses);
  }

  @Test
  void checkoutsOfOneHotProductQueueOnItsRowAndNeverDeadlock(Vertx vertx) {
    // the raw baseline's checkout: the product dirty AND referenced by the order's item, the user
    // referenced, the payment referencing the order by lid; a shared lock on the product before its
    // exclusive one would make every two concurrent checkouts of it deadlock
    String p = "checkout-p-" + UUID.randomUUID();
    String u = "checkout-u-" + UUID.randomUUID();
    create(op("new", "product", p).put("name", p).put("attributes",
            new JsonObject().put("sku", p).put("price", "1.00").put("stock", 100_000)),
        op("new", "user", u).put("name", u));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.config().http().port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    double deadlocksBefore = deadlockRetries();
    AtomicInteger committed = new AtomicInteger();
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    List<Future<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 16; c++) {
      Future<Void> chain = Future.succeededFuture();
      for (int r = 0; r < 8; r++) {
        chain = chain.compose(v -> read(client, "product", p).compose(stored -> client.post("/api/v1/transactions")
            // a key of its own: transactions spread over every unit-of-work actor, commits run side by side
            .putHeader("Idempotency-Key", UUID.randomUUID().toString())
            .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(new JsonObject().put("operations",
                new JsonArray().add(op("dirty", "product", p).put("expected_version", stored.getLong("version"))
                        .put("changes", new JsonObject().put("attributes", new JsonObject()
                            .put("stock", stored.getJsonObject("attributes").getInteger("stock") - 1))))
                    .add(new JsonObject().put("op", "new").put("type", "order").put("lid", "o").put("name", "checkout")
                        .put("attributes", new JsonObject().put("user_id", u).put("amount", "1.00").put("currency", "EUR")
                            .put("items", new JsonArray().add(new JsonObject().put("product_id", p).put("quantity", 1)
                                .put("unit_price", "1.00")))))
                    .add(new JsonObject().put("op", "new").put("type", "payment").put("name", "payment")
                        .put("attributes", new JsonObject().put("order_id", new JsonObject().put("lid", "o"))
                            .put("amount", "1.00").put("currency", "EUR").put("method", "card")))).encode())))
            .map(response -> {
              if (response.statusCode() == 200) {
                committed.incrementAndGet();
              } else if (response.statusCode() != 409
                  || !response.bodyAsJsonObject().getString("type").endsWith("/version-conflict")) {
                unexpected.add(response.statusCode() + " " + response.bodyAsString());
              }
              return null;
            }));
      }
      clients.add(chain);
    }
    ServiceHarness.await(Future.all(clients));

    assertThat(unexpected).isEmpty();
    assertThat(committed.get()).isPositive();
    assertThat(service.query("SELECT stock FROM products WHERE id = '" + p + "'").get(0).getLong(0))
        .isEqualTo(100_000L - committed.get());
    assertThat(deadlockRetries()).as("commits retried after a deadlock").isEqualTo(deadlocksBefore);
  }

  private static double deadlockRetries() {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("uow_commit_retries_total\\{[^}]*reason=\"deadlock\"[^}]*\\} ([0-9.eE+]+)")
        .matcher(service.get("/metrics").raw().bodyAsString());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * One checkout: read two products and a user, then decrement the products' stock and touch the
   * user, with the versions read, in a random order of operations (so lock orders would differ).
   */
  private static Future<Void> oneCheckout(WebClient client, Random random, List<String> products, List<String> users,
      Map<String, AtomicInteger> acknowledged, Map<Integer, AtomicInteger> statuses, List<String> unexpected) {
    List<String> chosen = new ArrayList<>(products);
    Collections.shuffle(chosen, random);
    List<String> picked = List.of(chosen.get(0), chosen.get(1));
    String user = users.get(random.nextInt(users.size()));
    List<Future<JsonObject>> reads = new ArrayList<>();
    picked.forEach(p -> reads.add(read(client, "product", p)));
    reads.add(read(client, "user", user));
    return Future.all(reads).compose(all -> {
      List<JsonObject> ops = new ArrayList<>();
      for (int i = 0; i < picked.size(); i++) {
        JsonObject stored = reads.get(i).result();
        ops.add(op("dirty", "product", picked.get(i)).put("expected_version", stored.getLong("version"))
            .put("changes", new JsonObject().put("attributes", new JsonObject()
                .put("stock", stored.getJsonObject("attributes").getInteger("stock") - 1))));
      }
      JsonObject storedUser = reads.get(2).result();
      ops.add(op("dirty", "user", user).put("expected_version", storedUser.getLong("version"))
          .put("changes", new JsonObject().put("metadata", new JsonObject().put("touched", random.nextInt()))));
      Collections.shuffle(ops, random);
      return client.post("/api/v1/transactions").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(new JsonObject().put("operations", new JsonArray(ops)).encode()));
    }).map(response -> {
      int status = response.statusCode();
      statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
      String type = status >= 400 ? response.bodyAsJsonObject().getString("type") : "";
      if (status == 200) {
        picked.forEach(p -> acknowledged.get(p).incrementAndGet());
      } else if (status != 409 || !type.endsWith("/version-conflict")) {
        unexpected.add(status + " " + response.bodyAsString());
      }
      return null;
    });
  }

  private static Future<JsonObject> read(WebClient client, String type, String id) {
    return client.get("/api/v1/entities/" + type + "/" + id).send().map(r -> r.bodyAsJsonObject());
  }

  @Test
  void aCommitBlockedByALockHeldElsewhereGivesUpAndSaysNothingWasWritten(Vertx vertx) {
    String p = "locked-p-" + UUID.randomUUID();
    create(op("new", "product", p).put("name", p).put("attributes",
        new JsonObject().put("sku", p).put("price", "1.00").put("stock", 10)));
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject().put("entity_id", p)
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 1)))).status()).isEqualTo(200);
    MySQLConnection holder = ServiceHarness.await(MySQLConnection.connect(vertx, service.database().connectOptions()));
    try {
      ServiceHarness.await(holder.query("BEGIN").execute()
          .compose(v -> holder.preparedQuery("SELECT id FROM products WHERE id = ? FOR UPDATE").execute(Tuple.of(p))));

      Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

      assertThat(commit.status()).as(commit.toString()).isIn(409, 503);
      assertThat(commit.json().getString("type")).doesNotEndWith("/commit-outcome-unknown");
      JsonObject last = service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("last_commit");
      assertThat(last.getString("status")).isEqualTo("failed");
    } finally {
      ServiceHarness.await(holder.query("ROLLBACK").execute());
      holder.close();
    }
    assertThat(service.query("SELECT stock FROM products WHERE id = '" + p + "'").get(0).getLong(0))
        .as("what the client was told: nothing was written").isEqualTo(10);
    Response retry = service.post("/api/v1/units-of-work/" + unit + "/commit");
    assertThat(retry.status()).as("the unit is still there to retry").isEqualTo(200);
    assertThat(service.get("/metrics").raw().bodyAsString()).as("lock waits were retried inside the service")
        .containsPattern("uow_commit_retries_total\\{[^}]*reason=\"lock_wait_timeout\"[^}]*\\} [1-9]");
  }
}
