package io.uowservice.cluster;

import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.bridge.LiveClient;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestCluster;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Clustered mode: any node serves any unit")
class ClusterTest {

  private static TestCluster cluster;
  private static ServiceHarness a;
  private static ServiceHarness b;
  private static ServiceHarness c;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, Map.of());
    a = cluster.service(0);
    b = cluster.service(1);
    c = cluster.service(2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static JsonObject product(String id, int stock) {
    return new JsonObject().put("type", "product").put("id", id).put("name", "product " + id)
        .put("attributes", new JsonObject().put("sku", unique("sku")).put("price", "3.00").put("stock", stock));
  }

  private static String open(ServiceHarness node) {
    Response created = node.post("/api/v1/units-of-work");
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    return created.json().getString("id");
  }

  @Test
  void aUnitOpenedOnOneNodeIsRegisteredOnAnotherAndCommittedThroughAThirdInOneTransaction() {
    String unit = open(a);
    String product = unique("p");
    String thing = unique("c");
    try (LiveClient live = LiveClient.connect(b.vertx(), b, "/ws")) {
      assertThat(b.post("/api/v1/units-of-work/" + unit + "/entities/new", product(product, 7)).status())
          .isEqualTo(201);
      assertThat(c.post("/api/v1/units-of-work/" + unit + "/entities/new", custom(thing)).status()).isEqualTo(201);
      assertThat(a.get("/api/v1/units-of-work/" + unit).json().getJsonObject("counts").getInteger("new"))
          .isEqualTo(2);

      Response committed = c.post("/api/v1/units-of-work/" + unit + "/commit");

      assertThat(committed.status()).as("%s", committed).isEqualTo(200);
      assertThat(committed.json().getJsonObject("committed").getInteger("new")).isEqualTo(2);
      assertThat(a.get("/api/v1/entities/product/" + product).json().getJsonObject("attributes")
          .getInteger("stock")).isEqualTo(7);
      assertThat(b.get("/api/v1/entities/custom/" + thing).status()).isEqualTo(200);
      // one transaction: both rows, both events, written once
      assertThat(a.query("SELECT COUNT(*) FROM outbox WHERE JSON_VALUE(payload, '$.unit_of_work_id') = '"
          + unit + "'").get(0).getLong(0)).isEqualTo(3); // two entities' events and the unit's
      // a /ws client on B sees the commit made through C on A's unit, each event once
      assertThat(eventsOf(live, unit, 2)).extracting(f -> f.getString("entity_id"))
          .containsExactlyInAnyOrder(product, thing);
    }
  }

  @Test
  void anEventBusClientOnOneNodeReceivesEachEventOfACommitMadeOnAnotherOnce() {
    try (LiveClient client = LiveClient.sockJs(b.vertx(), b)) {
      client.send(new JsonObject().put("type", "register").put("address", "uow.events"));
      // frames are handled in order: once this refusal is back, the registration is in effect
      client.send(new JsonObject().put("type", "publish").put("address", "uow.not-for-clients")
          .put("body", new JsonObject()));
      assertThat(client.next().getString("body")).isEqualTo("access_denied");
      String unit = open(a);
      String thing = unique("c");
      assertThat(a.post("/api/v1/units-of-work/" + unit + "/entities/new", custom(thing)).status()).isEqualTo(201);
      assertThat(a.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);

      List<JsonObject> bodies = new ArrayList<>();
      while (bodies.size() < 2) {
        JsonObject frame = client.next();
        if ("rec".equals(frame.getString("type")) && unit.equals(frame.getJsonObject("body").getString("unit_of_work_id"))) {
          bodies.add(frame.getJsonObject("body"));
        }
      }
      sleep(500);
      client.pending().stream().filter(f -> "rec".equals(f.getString("type")))
          .map(f -> f.getJsonObject("body")).filter(body -> unit.equals(body.getString("unit_of_work_id")))
          .forEach(bodies::add);
      assertThat(bodies).extracting(body -> body.getString("type"))
          .containsExactly("entity.created", "unit_of_work.committed");
    }
  }

  @Test
  void aSubjectsDefaultUnitIsTheSameOnEveryNodeEvenWhenFirstUsedOnAllAtOnce() throws Exception {
    // the anonymous subject's default unit: the seed paths without X-Unit-Of-Work-Id
    List<String> ids = List.of(unique("c"), unique("c"), unique("c"));
    List<ServiceHarness> nodes = List.of(a, b, c);
    List<CompletableFuture<Response>> registered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ServiceHarness node = nodes.get(i);
      String id = ids.get(i);
      registered.add(CompletableFuture.supplyAsync(() -> node.post("/api/v1/unit-of-work/entities/new", custom(id))));
    }
    for (CompletableFuture<Response> r : registered) {
      assertThat(r.get(60, TimeUnit.SECONDS).status()).as("%s", r.get()).isEqualTo(201);
    }

    for (ServiceHarness node : nodes) {
      JsonArray fresh = node.get("/api/v1/unit-of-work/entities").json().getJsonArray("new");
      assertThat(fresh.stream().map(e -> ((JsonObject) e).getString("id")).toList())
          .containsExactlyInAnyOrderElementsOf(ids);
    }
    Response committed = b.post("/api/v1/unit-of-work/commit");
    assertThat(committed.status()).as("%s", committed).isEqualTo(200);
    assertThat(committed.json().getJsonObject("committed").getInteger("new")).isEqualTo(3);
    for (String id : ids) {
      assertThat(c.get("/api/v1/entities/custom/" + id).status()).isEqualTo(200);
    }
    assertThat(a.get("/api/v1/unit-of-work/entities").json().getJsonArray("new")).isEmpty();
    assertThat(a.query("SELECT COUNT(*) FROM uow_default_units").get(0).getLong(0)).isEqualTo(1);
  }

  @Test
  void healthNamesTheNodeAndTheMembersItSees() {
    java.util.Set<String> tags = new java.util.HashSet<>();
    for (ServiceHarness node : List.of(a, b, c)) {
      Response health = node.get("/health");
      assertThat(health.status()).isEqualTo(200);
      JsonObject cluster = health.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(check -> "cluster".equals(check.getString("id"))).findFirst().orElseThrow();
      assertThat(cluster.getString("status")).isEqualTo("UP");
      assertThat(cluster.getJsonObject("data").getInteger("members")).isEqualTo(3);
      tags.add(cluster.getJsonObject("data").getString("node"));
    }
    assertThat(tags).hasSize(3);
    assertThat(open(b)).startsWith(Node.tag(b.vertx()) + "-");
  }

  @Test
  void unknownIdsAre404OnEveryNodeAndAUnitAnswersOnlyItsOwnSubject() {
    String unit = open(a);
    String madeUp = unit.substring(0, 24) + "000000000000"; // a's tag and actor, an id it never minted
    for (ServiceHarness node : List.of(a, b, c)) {
      assertThat(node.get("/api/v1/units-of-work/" + madeUp).status()).isEqualTo(404);
      assertThat(node.get("/api/v1/units-of-work/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
      assertThat(node.get("/api/v1/units-of-work/" + unit.substring(0, 9) + "ffff" + unit.substring(13)).status())
          .as("an actor number the node does not have").isEqualTo(404);
      assertThat(node.get("/api/v1/units-of-work/not-a-unit").status()).isEqualTo(404);
      assertThat(node.send(HttpMethod.GET, "/api/v1/unit-of-work/entities", null,
          Map.of("X-Unit-Of-Work-Id", madeUp)).status()).isEqualTo(404);
    }
  }

  @Test
  void twoHundredConcurrentUnitsOverTheNodesLoseNoUpdateOfSharedProducts() throws Exception {
    int products = 4;
    int initialStock = 1_000;
    List<String> ids = new ArrayList<>();
    String setup = open(a);
    for (int i = 0; i < products; i++) {
      String id = unique("p");
      ids.add(id);
      assertThat(a.post("/api/v1/units-of-work/" + setup + "/entities/new", product(id, initialStock)).status())
          .isEqualTo(201);
    }
    assertThat(a.post("/api/v1/units-of-work/" + setup + "/commit").status()).isEqualTo(200);

    List<ServiceHarness> nodes = List.of(a, b, c);
    ExecutorService clients = Executors.newFixedThreadPool(24);
    List<Future<Integer>> outcomes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      outcomes.add(clients.submit(() -> decrement(nodes.get(n % 3), nodes.get((n + 1) % 3), nodes.get((n + 2) % 3),
          ids.get(n % products))));
    }
    int committed = 0;
    for (Future<Integer> outcome : outcomes) {
      int status = outcome.get(120, TimeUnit.SECONDS);
      assertThat(status).as("no 5xx, no lost request").isIn(200, 409);
      committed += status == 200 ? 1 : 0;
    }
    clients.shutdown();

    long stockLeft = 0;
    for (String id : ids) {
      stockLeft += c.get("/api/v1/entities/product/" + id).json().getJsonObject("attributes").getLong("stock");
    }
    assertThat(products * initialStock - stockLeft).as("decrements == successful commits").isEqualTo(committed);
    assertThat(committed).isGreaterThan(0);
  }

  /** Reads a product on one node, opens a unit on another, decrements with the version read, commits on a third. */
  private static int decrement(ServiceHarness reader, ServiceHarness opener, ServiceHarness committer, String id) {
    JsonObject stored = reader.get("/api/v1/entities/product/" + id).json();
    String unit = open(opener);
    Response dirty = committer.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject()
        .put("entity_id", id).put("type", "product").put("expected_version", stored.getLong("version"))
        .put("changes", new JsonObject().put("attributes", new JsonObject()
            .put("stock", stored.getJsonObject("attributes").getLong("stock") - 1))));
    if (dirty.status() != 200) {
      return dirty.status();
    }
    int status = reader.post("/api/v1/units-of-work/" + unit + "/commit").status();
    opener.delete("/api/v1/units-of-work/" + unit);
    return status;
  }

  /** The entity events of {@code unit} that reach a live client: {@code expected} of them, then none more. */
  static List<JsonObject> eventsOf(LiveClient live, String unit, int expected) {
    List<JsonObject> events = new ArrayList<>();
    while (events.size() < expected) {
      JsonObject frame = live.next();
      if (unit.equals(frame.getString("unit_of_work_id")) && frame.getString("entity_id") != null) {
        events.add(frame);
      }
    }
    sleep(500);
    live.pending().stream().filter(f -> unit.equals(f.getString("unit_of_work_id")) && f.getString("entity_id") != null)
        .forEach(events::add);
    return events;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
