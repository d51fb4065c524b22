package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.api.RequestHashes;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@org.junit.jupiter.api.DisplayName("Races an adversarial review found: keys bound to what is committed, same-key twins, lock order within a type, error amplification")
class CommitRacesTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_DATABASE__MYSQL__LOCK_WAIT_TIMEOUT", "3s",
        "UOW_UNIT_OF_WORK__COMMIT_TIMEOUT", "20s",
        "UOW_UNIT_OF_WORK__COMMIT_RETRIES", "0"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static JsonObject op(String op, String type, String id) {
    return new JsonObject().put("op", op).put("type", type).put("id", id);
  }

  private static void create(JsonObject... ops) {
    Response r = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray(java.util.List.of(ops))));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  private static CompletableFuture<Response> async(java.util.function.Supplier<Response> call) {
    return CompletableFuture.supplyAsync(call);
  }

  /** A: the unit's fingerprint is taken when the commit arrives, the unit committed is the one after the key lookup. */
  @Test
  void keyBoundToContentTheCommitDidNotWrite(Vertx vertx) throws Exception {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String id = "fp-" + UUID.randomUUID();
    JsonObject entity = new JsonObject().put("type", "custom").put("id", id).put("name", "n")
        .put("attributes", new JsonObject().put("a", 1));
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/new", entity).status()).isEqualTo(201);
    String key = "k-" + UUID.randomUUID();

    MySQLConnection holder = ServiceHarness.await(MySQLConnection.connect(vertx, service.database().connectOptions()));
    CompletableFuture<Response> first;
    try {
      // slows the Idempotency-Key lookup down (a busy database); the unit stays open meanwhile
      ServiceHarness.await(holder.query("LOCK TABLES idempotency_keys WRITE").execute());
      first = async(() -> service.post("/api/v1/units-of-work/" + unit + "/commit", new JsonObject(),
          Map.of("Idempotency-Key", key)));
      Thread.sleep(700);
      // the client gives up on its stuck commit and rolls the unit back
      Response rb = service.post("/api/v1/units-of-work/" + unit + "/rollback");
      assertThat(rb.status()).as("the unit is frozen while its commit looks up its key").isEqualTo(409);
    } finally {
      ServiceHarness.await(holder.query("UNLOCK TABLES").execute());
      holder.close();
    }
    Response r1 = first.get(30, TimeUnit.SECONDS);
    assertThat(r1.status()).as(r1.toString()).isEqualTo(200);
    assertThat(r1.json().getJsonObject("committed").getInteger("new")).isEqualTo(1);

    // the client rebuilds exactly the same content and retries under the same key
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/new", entity).status()).isEqualTo(201);
    Response retry = service.post("/api/v1/units-of-work/" + unit + "/commit", new JsonObject(),
        Map.of("Idempotency-Key", key));
    Response stored = service.get("/api/v1/entities/custom/" + id);
    assertThat(retry.status() != 200 || stored.status() == 200)
        .as("a 200 for this content must mean the entity is stored").isTrue();
  }

  /** B: a same-key request in flight elsewhere makes this one a 409 'collided with concurrent commits', nothing about the key. */
  @Test
  void sameKeyInFlightIsMisreportedAsLockCollision(Vertx vertx) {
    String key = "k-" + UUID.randomUUID();
    String id = "tx-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("operations", new JsonArray().add(op("new", "custom", id).put("name", "x")));
    String hash = RequestHashes.transaction(body);
    MySQLConnection twin = ServiceHarness.await(MySQLConnection.connect(vertx, service.database().connectOptions()));
    Response answer;
    try {
      // what the first request with this key does as its first statement, still uncommitted
      ServiceHarness.await(twin.query("BEGIN").execute().compose(v -> twin.preparedQuery("INSERT INTO idempotency_keys "
          + "(subject, idem_key, request_hash, scope_hash, status, response, created_at, expires_at) "
          + "VALUES ('anonymous', ?, ?, ?, 0, '{}', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY)")
          .execute(Tuple.of(key, hash, hash))));
      answer = service.post("/api/v1/transactions", body, Map.of("Idempotency-Key", key));
      ServiceHarness.await(twin.preparedQuery("UPDATE idempotency_keys SET status = 200, response = ? WHERE idem_key = ?")
          .execute(Tuple.of(new JsonObject().put("transaction_id", "first").encode(), key))
          .compose(v -> twin.query("COMMIT").execute()));
    } finally {
      twin.close();
    }
    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.json().getString("type")).as(answer.toString()).endsWith("/idempotency-key-in-progress");
    assertThat(answer.json().getString("detail")).doesNotContain("collid").doesNotContain("nothing was written");
    Response after = service.post("/api/v1/transactions", body, Map.of("Idempotency-Key", key));
    assertThat(after.status()).as("once the twin committed, its outcome is replayed").isEqualTo(200);
    assertThat(after.json().getString("transaction_id")).isEqualTo("first");
  }

  /** C: per type, written rows are locked before referenced rows, so id order is not canonical within a type. */
  @Test
  void twoCommitsUpdatingOneUserAndReferencingTheOtherDeadlock(Vertx vertx) throws Exception {
    String u1 = "u-a-" + UUID.randomUUID();
    String u2 = "u-b-" + UUID.randomUUID();
    create(op("new", "user", u1).put("name", "a"), op("new", "user", u2).put("name", "b"));
    java.util.function.BiFunction<String, String, JsonObject> checkout = (touched, buyer) -> new JsonObject()
        .put("operations", new JsonArray()
            .add(op("dirty", "user", touched).put("changes", new JsonObject().put("metadata",
                new JsonObject().put("t", 1))))
            .add(new JsonObject().put("op", "new").put("type", "order").put("name", "o")
                .put("attributes", new JsonObject().put("user_id", buyer).put("amount", "1.00").put("currency", "EUR"))));
    MySQLConnection holder = ServiceHarness.await(MySQLConnection.connect(vertx, service.database().connectOptions()));
    CompletableFuture<Response> c1;
    CompletableFuture<Response> c2;
    try {
      ServiceHarness.await(holder.query("SET SESSION innodb_lock_wait_timeout = 30").execute()
          .compose(v -> holder.query("BEGIN").execute())
          .compose(v -> holder.preparedQuery("SELECT id FROM users WHERE id = ? FOR UPDATE").execute(Tuple.of(u2))));
      c2 = async(() -> service.post("/api/v1/transactions", checkout.apply(u2, u1))); // waits for X(u2)
      Thread.sleep(800);
      c1 = async(() -> service.post("/api/v1/transactions", checkout.apply(u1, u2))); // X(u1), waits for S(u2)
      Thread.sleep(800);
    } finally {
      ServiceHarness.await(holder.query("ROLLBACK").execute());
      holder.close();
    }
    Response r1 = c1.get(30, TimeUnit.SECONDS);
    Response r2 = c2.get(30, TimeUnit.SECONDS);
    assertThat(r1.status()).isEqualTo(200);
    assertThat(r2.status()).isEqualTo(200);
  }

  /** D: every number error names its full path; paths concatenate every key above (64 KB keys, 28 levels). */
  @Test
  void deepLongKeysAmplifyFieldErrors() {
    JsonObject root = new JsonObject();
    JsonObject cur = root;
    for (int d = 0; d < 28; d++) {
      JsonObject next = new JsonObject();
      cur.put(String.valueOf((char) ('a' + d)).repeat(49_000), next);
      cur = next;
    }
    StringBuilder leaves = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      leaves.append(i == 0 ? "" : ",").append("\"n").append(i).append("\":1e400");
    }
    String inner = "{" + leaves + "}";
    String text = new JsonObject().put("type", "custom").put("name", "x").put("attributes", root).encode()
        .replace("{}}", inner + "}");
    Response r = service.postRaw("/api/v1/units-of-work/" + service.post("/api/v1/units-of-work").json().getString("id")
        + "/entities/new", text);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.raw().body().length()).as("the refusal is small, whatever the keys").isLessThan(64 * 1024);
  }
}
