package io.uowservice.cluster;

import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.NodeProcess;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestCluster;
import io.uowservice.testsupport.TestKafka;
import io.uowservice.testsupport.TopicReader;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import io.vertx.mysqlclient.MySQLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Clustered mode: a node killed mid-session loses its units (410), never what it committed")
class NodeLossTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  private static TestCluster cluster;
  private static ServiceHarness survivor;
  private static String topic;

  @BeforeAll
  static void start() {
    TestKafka.Broker broker = TestKafka.broker();
    topic = unique("uow-events");
    TestKafka.createTopic(topic, 3);
    cluster = TestCluster.start(1, Map.of(
        "UOW_MESSAGE_QUEUE__ENABLED", "true",
        "UOW_MESSAGE_QUEUE__BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "UOW_MESSAGE_QUEUE__TOPICS", topic,
        "UOW_MESSAGE_QUEUE__COMMANDS_TOPIC", unique("uow-commands"),
        "UOW_MESSAGE_QUEUE__RELAY_MAX_BACKOFF", "1s"));
    survivor = cluster.service(0);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aKilledNodesUnitsAre410OnTheSurvivorItsCommitsStayAndAreRelayed() throws Exception {
    Map<String, String> env = new HashMap<>(ServiceHarness.environment(cluster.database()));
    env.putAll(cluster.clusterEnvironment(cluster.reservePort()));
    env.put("UOW_MESSAGE_QUEUE__ENABLED", "false"); // what it commits stays unpublished in the outbox
    try (NodeProcess doomed = NodeProcess.start(env, WAIT)) {
      String open = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body()).getString("id");
      String pending = unique("c");
      assertThat(survivor.post("/api/v1/units-of-work/" + open + "/entities/new", custom(pending)).status())
          .isEqualTo(201);
      // a unit committed on the doomed node under a key, its answer never read by the client
      String committedUnit = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body()).getString("id");
      String kept = unique("c");
      assertThat(survivor.post("/api/v1/units-of-work/" + committedUnit + "/entities/new", custom(kept)).status())
          .isEqualTo(201);
      String key = unique("key");
      assertThat(doomed.call("POST", "/api/v1/units-of-work/" + committedUnit + "/commit", null,
          Map.of("Idempotency-Key", key)).statusCode()).isEqualTo(200);

      doomed.kill();
      long killed = System.nanoTime();

      Response lost = survivor.get("/api/v1/units-of-work/" + open);
      long answeredMs = (System.nanoTime() - killed) / 1_000_000;
      assertThat(lost.status()).as("%s", lost).isEqualTo(410);
      assertThat(lost.header("Content-Type")).startsWith("application/problem+json");
      assertThat(lost.json().getString("type")).endsWith("unit-lost");
      System.out.printf("node death to 410: %d ms%n", answeredMs);
      assertThat(survivor.post("/api/v1/units-of-work/" + open + "/commit").status()).isEqualTo(410);
      assertThat(survivor.get("/api/v1/entities/custom/" + pending).status()).isEqualTo(404);

      // the commit that landed is told by its key on the survivor; the unit itself is gone
      Response replay = survivor.post("/api/v1/units-of-work/" + committedUnit + "/commit", new JsonObject(),
          Map.of("Idempotency-Key", key));
      assertThat(replay.status()).as("%s", replay).isEqualTo(200);
      assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(survivor.get("/api/v1/entities/custom/" + kept).status()).isEqualTo(200);
      Response otherKey = survivor.post("/api/v1/units-of-work/" + committedUnit + "/commit", new JsonObject(),
          Map.of("Idempotency-Key", unique("key")));
      assertThat(otherKey.status()).isEqualTo(410);

      // ids no node minted stay 404; the survivor serves new units
      assertThat(survivor.get("/api/v1/units-of-work/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
      String fresh = survivor.post("/api/v1/units-of-work").json().getString("id");
      assertThat(survivor.post("/api/v1/units-of-work/" + fresh + "/entities/new", custom(unique("c"))).status())
          .isEqualTo(201);
      assertThat(survivor.post("/api/v1/units-of-work/" + fresh + "/commit").status()).isEqualTo(200);

      // what the dead node committed but never published, the survivor's relay publishes
      Set<String> expected = survivor.query("SELECT event_id FROM outbox WHERE JSON_VALUE(payload, "
          + "'$.unit_of_work_id') = '" + committedUnit + "'").stream().map(r -> r.getString(0))
          .collect(Collectors.toSet());
      assertThat(expected).hasSize(2); // the entity's, the unit's
      try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!reader.distinct().stream().map(TopicReader.Received::eventId).collect(Collectors.toSet())
            .containsAll(expected) && System.nanoTime() < deadline) {
          reader.pollOnce(Duration.ofMillis(500));
        }
        assertThat(reader.distinct().stream().map(TopicReader.Received::eventId).toList()).containsAll(expected);
      }
    }
  }

  @Test
  void commitsWaitingOnAKilledNodeEndAtOnceUnknownWithoutAKeyAndNotCommittedWithOne() throws Exception {
    String product = unique("p");
    String setup = survivor.post("/api/v1/units-of-work").json().getString("id");
    assertThat(survivor.post("/api/v1/units-of-work/" + setup + "/entities/new", new JsonObject().put("type", "product")
        .put("id", product).put("name", "widget").put("attributes", new JsonObject().put("sku", unique("sku"))
            .put("price", "2.00").put("stock", 5))).status()).isEqualTo(201);
    assertThat(survivor.post("/api/v1/units-of-work/" + setup + "/commit").status()).isEqualTo(200);

    Map<String, String> env = new HashMap<>(ServiceHarness.environment(cluster.database()));
    env.putAll(cluster.clusterEnvironment(cluster.reservePort()));
    env.put("UOW_DATABASE__MYSQL__LOCK_WAIT_TIMEOUT", "60s");
    MySQLConnection holder = ServiceHarness.await(MySQLConnection.connect(survivor.vertx(),
        cluster.database().connectOptions()));
    try (NodeProcess doomed = NodeProcess.start(env, WAIT)) {
      String keyed = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body()).getString("id");
      String unkeyed = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body()).getString("id");
      for (String unit : List.of(keyed, unkeyed)) {
        assertThat(survivor.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject()
            .put("entity_id", product).put("type", "product").put("expected_version", 1)
            .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 4)))).status())
            .isEqualTo(200);
      }
      // the product's row is locked: both commits, sent through the survivor, wait inside the doomed node
      ServiceHarness.await(holder.query("BEGIN").execute());
      ServiceHarness.await(holder.query("SELECT stock FROM products WHERE id = '" + product + "' FOR UPDATE").execute());
      String key = unique("key");
      CompletableFuture<Response> withKey = CompletableFuture.supplyAsync(() -> survivor.post(
          "/api/v1/units-of-work/" + keyed + "/commit", new JsonObject(), Map.of("Idempotency-Key", key)));
      CompletableFuture<Response> withoutKey = CompletableFuture.supplyAsync(() -> survivor.post(
          "/api/v1/units-of-work/" + unkeyed + "/commit"));
      waitForLockWaits(2);

      doomed.kill();
      long killed = System.nanoTime();

      Response unknown = withoutKey.get(60, TimeUnit.SECONDS);
      Response told = withKey.get(60, TimeUnit.SECONDS);
      System.out.printf("node death to the answers of its waiting commits: %d ms%n",
          (System.nanoTime() - killed) / 1_000_000);
      assertThat(unknown.status()).as("%s", unknown).isEqualTo(504);
      assertThat(unknown.json().getString("type")).endsWith("commit-outcome-unknown");
      assertThat(told.status()).as("%s", told).isEqualTo(410);
      assertThat(told.json().getString("detail")).contains("nothing of it was committed");
    } finally {
      ServiceHarness.await(holder.query("ROLLBACK").execute());
      ServiceHarness.await(holder.close());
    }
    // neither landed: the dead node's transactions went with its connections
    JsonObject stored = survivor.get("/api/v1/entities/product/" + product).json();
    assertThat(stored.getLong("version")).isEqualTo(1);
    assertThat(stored.getJsonObject("attributes").getInteger("stock")).isEqualTo(5);
  }

  private static void waitForLockWaits(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (survivor.query("SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'")
        .get(0).getLong(0) < n) {
      assertThat(System.nanoTime()).as("%d commits waiting for the row lock", n).isLessThan(deadline);
      Thread.sleep(150); // InnoDB refreshes innodb_trx only when it was last read over 100 ms ago
    }
  }


}
