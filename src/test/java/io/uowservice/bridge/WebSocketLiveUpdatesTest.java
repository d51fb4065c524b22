package io.uowservice.bridge;

import static io.uowservice.testsupport.Units.order;
import static io.uowservice.testsupport.Units.product;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.testsupport.Units.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.Units;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("/ws: every published domain event as a JSON text frame, optionally filtered by type")
class WebSocketLiveUpdatesTest {

  @RegisterExtension
  static final LiveService live = new LiveService();

  @Test
  void aRefusedUpgradeLeavesItsConnectionUsableLikeAnyOtherBodilessRequest() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", live.service().config().http().port())) {
      socket.setSoTimeout(5_000);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      for (String path : java.util.List.of("/ws", "/ws?types=entity.created,bogus", "/api/v1/info")) {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String head = readHead(in);
        assertThat(head).as(path).doesNotContainIgnoringCase("connection: close");
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        assertThat(length.find()).as(head).isTrue();
        in.readNBytes(Integer.parseInt(length.group(1)));
      }
    }
  }

  /** The status line and headers of the next response on the socket. */
  private static String readHead(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the service closed the connection after: %s", head).isNotEqualTo(-1);
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void aWebSocketClientReceivesEveryEventOfACommit() {
    try (LiveClient client = live.connect("/ws")) {
      String unit = live.units().open();
      String u = unique("u");
      String o = unique("o");
      live.units().add(unit, order(o, u)).add(unit, user(u)).committed(unit);

      List<JsonObject> events = client.until(e -> e.getString("type").equals("unit_of_work.committed")
          && e.getString("unit_of_work_id").equals(unit));

      // in write order (the user before the order that references it), then the unit's summary
      assertThat(events).extracting(e -> e.getString("type"), e -> e.getString("entity_id"))
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("entity.created", u),
              org.assertj.core.groups.Tuple.tuple("entity.created", o),
              org.assertj.core.groups.Tuple.tuple("unit_of_work.committed", null));
      JsonObject created = events.get(0);
      assertThat(created.fieldNames()).containsExactlyInAnyOrder("event_id", "type", "unit_of_work_id",
          "entity_type", "entity_id", "version", "actor", "occurred_at", "data");
      assertThat(created.getString("entity_type")).isEqualTo("user");
      assertThat(created.getLong("version")).isEqualTo(1L);
      assertThat(created.getString("actor")).isEqualTo("anonymous");
      assertThat(created.getJsonObject("data").getJsonObject("attributes").getString("email"))
          .isEqualTo(u + "@example.com");
      assertThat(events).extracting(e -> e.getString("event_id")).doesNotHaveDuplicates();
      assertThat(events.get(2).getJsonObject("data").getJsonObject("committed").getInteger("new")).isEqualTo(2);
    }
  }

  @Test
  void aRollbackReachesWebSocketClientsToo() {
    try (LiveClient client = live.connect("/ws")) {
      String unit = live.units().open();
      live.units().add(unit, user(unique("u")));
      assertThat(live.service().post("/api/v1/units-of-work/" + unit + "/rollback").status()).isEqualTo(200);

      JsonObject event = client.until(e -> unit.equals(e.getString("unit_of_work_id"))).get(0);

      assertThat(event.getString("type")).isEqualTo("unit_of_work.rolled_back");
      assertThat(event.getJsonObject("data").getJsonObject("discarded").getInteger("new")).isEqualTo(1);
    }
  }

  @Test
  void typesFilterLimitsWhatAClientReceives() {
    try (LiveClient everything = live.connect("/ws");
        LiveClient commitsOnly = live.connect("/ws?types=unit_of_work.committed");
        LiveClient twoTypes = live.connect("/ws?types=unit_of_work.rolled_back,%20entity.created")) {
      String unit = live.units().open();
      live.units().add(unit, user(unique("u"))).add(unit, product(unique("p"))).committed(unit);
      String discarded = live.units().open();
      live.units().add(discarded, user(unique("u")));
      assertThat(live.service().post("/api/v1/units-of-work/" + discarded + "/rollback").status()).isEqualTo(200);

      // events of one unit arrive in order, so a filtered client's first frame shows what it skipped
      assertThat(everything.until(e -> discarded.equals(e.getString("unit_of_work_id"))))
          .extracting(e -> e.getString("type"))
          .containsExactly("entity.created", "entity.created", "unit_of_work.committed", "unit_of_work.rolled_back");
      JsonObject first = commitsOnly.next();
      assertThat(first.getString("type")).isEqualTo("unit_of_work.committed");
      assertThat(first.getString("unit_of_work_id")).isEqualTo(unit);
      assertThat(twoTypes.until(e -> discarded.equals(e.getString("unit_of_work_id"))))
          .extracting(e -> e.getString("type"))
          .containsExactly("entity.created", "entity.created", "unit_of_work.rolled_back");
      assertThat(commitsOnly.pending()).allMatch(e -> e.getString("type").equals("unit_of_work.committed"));
    }
  }

  @Test
  void anUnknownEventTypeIsRefusedBeforeTheUpgrade() {
    Future<WebSocket> refused = LiveClient.attempt(live.vertx(), live.service(), "/ws?types=entity.created,entity.exploded");
    assertThat(refused.toCompletionStage().toCompletableFuture()).failsWithin(java.time.Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(UpgradeRejectedException.class,
            e -> assertThat(e.getStatus()).isEqualTo(400));

    Response problem = live.service().send(HttpMethod.GET, "/ws?types=entity.exploded", null,
        Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
            "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="));
    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(problem.json().getString("detail")).contains("entity.exploded").contains("entity.created");
  }

  @Test
  void aPlainGetOfTheWebSocketPathAsksForAnUpgrade() {
    Response plain = live.service().get("/ws");

    assertThat(plain.status()).isEqualTo(426);
    assertThat(plain.header("Upgrade")).isEqualTo("websocket");
    assertThat(plain.json().getInteger("status")).isEqualTo(426);
  }

  @Test
  void statsCountLiveClientsBesideTheExistingFields() {
    try (LiveClient client = live.connect("/ws")) {
      String unit = live.units().open();
      live.units().add(unit, user(unique("u"))).committed(unit);
      client.until(e -> unit.equals(e.getString("unit_of_work_id")) && e.getString("type").endsWith("committed"));

      JsonObject stats = live.service().get("/api/v1/stats").json();

      assertThat(stats.fieldNames()).contains("units", "entities", "commits", "failed_commits", "rollbacks",
          "conflicts", "shards", "live_updates");
      JsonObject counters = stats.getJsonObject("live_updates");
      assertThat(counters.fieldNames()).containsExactlyInAnyOrder("websocket_clients", "sockjs_clients", "frames_sent",
          "frames_dropped", "slow_clients_disconnected", "max_queued_bytes", "queued_bytes");
      assertThat(counters.getLong("websocket_clients")).isGreaterThanOrEqualTo(1);
      assertThat(counters.getLong("frames_sent")).isGreaterThanOrEqualTo(2);
      assertThat(counters.getLong("max_queued_bytes")).isEqualTo(16L * 1024 * 1024);
    }
  }
}
