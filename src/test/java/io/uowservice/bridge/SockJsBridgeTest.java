package io.uowservice.bridge;

import static io.uowservice.testsupport.Units.order;
import static io.uowservice.testsupport.Units.product;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.testsupport.Units.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.Units;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Speaks the vertx-eventbus bridge protocol over SockJS's raw WebSocket transport
 * ({@code /eventbus/websocket}), as vertx3-eventbus-client does over SockJS framing.
 */
@DisplayName("/eventbus: the SockJS event-bus bridge, outbound uow.events and uow.progress.<unit id> only")
class SockJsBridgeTest {

  private static final String EVENTBUS = "/eventbus/websocket";

  @RegisterExtension
  static final LiveService live = new LiveService();

  static JsonObject frame(String type, String address) {
    return new JsonObject().put("type", type).put("address", address);
  }

  static void register(LiveClient client, String... addresses) {
    for (String address : addresses) {
      client.send(frame("register", address));
    }
    // the bridge handles a socket's frames in order, so once this refusal is back the registrations
    // before it are in effect (registration itself is not acknowledged by the protocol)
    client.send(frame("publish", "uow.not-for-clients").put("body", new JsonObject()));
    assertThat(client.next()).isEqualTo(new JsonObject().put("type", "err").put("body", "access_denied"));
  }

  static JsonObject progress(String phase, int done, int total) {
    return new JsonObject().put("phase", phase).put("done", done).put("total", total);
  }

  @Test
  void aSockJsClientReceivesEventsAndProgress() {
    String unit = live.units().open();
    String u = unique("u");
    live.units().add(unit, user(u)).add(unit, product(unique("p"))).add(unit, order(unique("o"), u));
    try (LiveClient client = live.connect(EVENTBUS)) {
      register(client, "uow.events", "uow.progress." + unit);

      live.units().committed(unit);

      List<JsonObject> frames = client.until(f -> f.getString("address").equals("uow.events")
          && f.getJsonObject("body").getString("type").equals("unit_of_work.committed"));
      assertThat(frames).allMatch(f -> f.getString("type").equals("rec"));
      // three write batches (users, products, orders): a progress frame after each, all before the
      // transaction commits and the events are published
      assertThat(frames).filteredOn(f -> f.getString("address").equals("uow.progress." + unit))
          .extracting(f -> f.getJsonObject("body"))
          .containsExactly(progress("started", 0, 3), progress("writing", 1, 3), progress("writing", 2, 3),
              progress("writing", 3, 3), progress("committed", 3, 3));
      assertThat(frames).filteredOn(f -> f.getString("address").equals("uow.events"))
          .extracting(f -> f.getJsonObject("body"))
          .allMatch(e -> e.getString("unit_of_work_id").equals(unit))
          .extracting(e -> e.getString("type"))
          .containsExactly("entity.created", "entity.created", "entity.created", "unit_of_work.committed");
    }
  }

  @Test
  void aClientSpeakingSockJsFramingReceivesEventsToo() {
    try (LiveClient client = LiveClient.sockJs(live.vertx(), live.service())) {
      register(client, "uow.events");
      String unit = live.units().open();
      String u = unique("u");

      live.units().add(unit, user(u)).committed(unit);

      JsonObject created = client.next();
      assertThat(created.getString("type")).isEqualTo("rec");
      assertThat(created.getString("address")).isEqualTo("uow.events");
      assertThat(created.getJsonObject("body").getString("entity_id")).isEqualTo(u);
      assertThat(client.next().getJsonObject("body").getString("type")).isEqualTo("unit_of_work.committed");
    }
  }

  @Test
  void aFailedCommitEndsItsProgressWithFailed() {
    String unit = live.units().open();
    live.units().add(unit, order(unique("o"), unique("nobody")));
    try (LiveClient client = live.connect(EVENTBUS)) {
      register(client, "uow.progress." + unit);

      assertThat(live.units().commit(unit).status()).isEqualTo(422);

      assertThat(client.until(f -> !f.getJsonObject("body").getString("phase").equals("started")))
          .extracting(f -> f.getJsonObject("body"))
          .containsExactly(progress("started", 0, 1), progress("failed", 0, 1));
    }
  }

  @Test
  void inboundSockJsMessagesAreRefused() {
    long createdBefore = unitsCreated();
    try (LiveClient client = live.connect(EVENTBUS)) {
      JsonObject createUnit = new JsonObject().put("subject", "sockjs");
      JsonObject asCreate = new JsonObject().put("action", "create");
      List<JsonObject> attempts = List.of(
          frame("send", "uow.units.0").put("body", createUnit).put("headers", asCreate).put("replyAddress", "r1"),
          frame("publish", "uow.units.1").put("body", createUnit).put("headers", asCreate),
          frame("send", "uow.events").put("body", new JsonObject().put("type", "entity.created")),
          frame("publish", "uow.progress.x").put("body", new JsonObject()),
          // registering is how outbound works; any other address is refused as well
          frame("register", "uow.units.0"),
          frame("register", "uow.types"));

      for (JsonObject attempt : attempts) {
        client.send(attempt);
        assertThat(client.next()).as(attempt.encode())
            .isEqualTo(new JsonObject().put("type", "err").put("body", "access_denied"));
      }
    }
    // nothing reached a unit-of-work actor
    assertThat(unitsCreated()).isEqualTo(createdBefore);
  }

  @Test
  void theSockJsEndpointAnswersItsInfoRequest() {
    Response info = live.service().get("/eventbus/info");

    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().getBoolean("websocket")).isTrue();
  }

  @Test
  void statsCountSockJsClients() {
    try (LiveClient client = live.connect(EVENTBUS)) {
      register(client, "uow.events");

      assertThat(live.service().get("/api/v1/stats").json().getJsonObject("live_updates").getLong("sockjs_clients"))
          .isGreaterThanOrEqualTo(1);
    }
  }

  private static long unitsCreated() {
    return live.service().get("/api/v1/stats").json().getJsonObject("units").getLong("created");
  }
}
