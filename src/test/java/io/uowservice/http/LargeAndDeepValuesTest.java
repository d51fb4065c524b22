package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
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
@DisplayName("What is accepted can be stored: large units commit in packet-sized statements, too-deep or too-large values are refused at registration")
class LargeAndDeepValuesTest {

  private static ServiceHarness service;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx vertx) {
    LargeAndDeepValuesTest.vertx = vertx;
    // the unit must be able to hold more than one packet: the embedded server allows 64 MiB packets
    service = ServiceHarness.start(vertx, java.util.Map.of("UOW_UNIT_OF_WORK__MAX_UNIT_BYTES", "402653184"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aBodyInUtf16IsRefusedAndCannotCarryAStringPastTheStringLimit() {
    // found by review: decoded from bytes, Jackson read UTF-16 while the UTF-8 and string-length checks
    // misread it; U+2241 is the bytes 41 22 in UTF-16LE, a '"' to a byte scanner
    for (String extra : java.util.List.of("", ",\"big\":\"\u2241" + "x".repeat(70_000) + "\u2241\"")) {
      String sku = "u16-" + UUID.randomUUID();
      String json = "{\"operations\":[{\"op\":\"new\",\"type\":\"product\",\"name\":\"x\",\"attributes\":{\"sku\":\""
          + sku + "\",\"price\":\"1\"" + extra + "}}]}";
      Response response = new Response(ServiceHarness.await(io.vertx.ext.web.client.WebClient.create(vertx)
          .post(service.config().http().port(), "127.0.0.1", "/api/v1/transactions")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer(json.getBytes(java.nio.charset.StandardCharsets.UTF_16LE)))));

      assertThat(response.status()).as(response.toString()).isEqualTo(400);
      assertThat(service.query("SELECT id FROM products WHERE sku = '" + sku + "'")).isEmpty();
    }
  }

  /** About {@code bytes} of attributes, in strings short enough for the request pre-scan. */
  private static JsonObject bulk(int bytes) {
    JsonArray chunks = new JsonArray();
    String chunk = "x".repeat(60_000);
    for (int n = 0; n < bytes; n += chunk.length()) {
      chunks.add(chunk);
    }
    return new JsonObject().put("blob", chunks);
  }

  private static String unit() {
    return service.post("/api/v1/units-of-work").json().getString("id");
  }

  @Test
  void aUnitLargerThanMaxAllowedPacketCommitsInSeveralStatements() {
    long packet = service.query("SELECT @@max_allowed_packet").get(0).getLong(0);
    String unit = unit();
    String name = "big-" + UUID.randomUUID();
    int each = 3_800_000;
    int entities = (int) (packet / each) + 2; // together past the server's packet size
    for (int i = 0; i < entities; i++) {
      Response registered = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
          new JsonObject().put("name", name).put("attributes", bulk(each)));
      assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
    }

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(200);
    assertThat(service.query("SELECT COUNT(*) FROM custom_entities WHERE name = '" + name + "'").get(0).getLong(0))
        .isEqualTo(entities);
    assertThat(service.query("SELECT COUNT(*) FROM outbox WHERE event_type = 'entity.created' AND "
        + "JSON_VALUE(payload, '$.data.name') = '" + name + "'").get(0).getLong(0)).isEqualTo(entities);
  }

  @Test
  void anEntityGrownPastWhatOneStatementCarriesIsRefusedWhenRegistered() {
    long packet = service.query("SELECT @@max_allowed_packet").get(0).getLong(0);
    String unit = unit();
    Response created = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "grows").put("attributes", new JsonObject().put("a0", bulk(3_800_000))));
    String id = created.json().getString("id");
    Response refused = null;
    for (int i = 1; i <= packet / 3_800_000 + 1 && refused == null; i++) {
      Response change = service.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject()
          .put("entity_id", id).put("changes", new JsonObject().put("attributes", new JsonObject()
              .put("a" + i, bulk(3_800_000)))));
      if (change.status() != 200) {
        refused = change;
      }
    }

    assertThat(refused).as("some change makes the entity larger than a statement may be").isNotNull();
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().getString("detail")).contains("max_allowed_packet");
    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");
    assertThat(commit.status()).as("the unit still holds the last copy that fits").isEqualTo(200);
  }

  private static Object nested(int depth) {
    Object value = 1;
    for (int i = 0; i < depth; i++) {
      value = new JsonObject().put("n", value);
    }
    return value;
  }

  @Test
  void attributesNestedDeeperThanEveryStoreAcceptsAre422AndTheDeepestAcceptedOneCommits() {
    // attributes itself is level 1: 28 more levels inside it is the deepest accepted
    Response deepest = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("name", "deep").put("attributes",
            new JsonObject().put("n", nested(27))))));
    assertThat(deepest.status()).as(deepest.toString()).isEqualTo(200);

    String unit = unit();
    Response tooDeep = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "deeper").put("attributes", new JsonObject().put("n", nested(29))));
    assertThat(tooDeep.status()).as(tooDeep.toString()).isEqualTo(422);
    assertThat(tooDeep.json().getString("detail")).contains("deeper than");
    Response metadata = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "deeper").put("metadata", new JsonObject().put("n", nested(29))));
    assertThat(metadata.status()).isEqualTo(422);
    Response change = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "flat"));
    Response deepChange = service.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject()
        .put("entity_id", change.json().getString("id")).put("changes", new JsonObject().put("attributes",
            new JsonObject().put("n", nested(29)))));
    assertThat(deepChange.status()).isEqualTo(422);
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);
  }
}
