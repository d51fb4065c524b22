package io.uowservice.bridge;

import static io.uowservice.bridge.SockJsBridgeTest.frame;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.testsupport.Units.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.bridge.SockJsHttp.Transport;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every SockJS HTTP transport through the bridge (the fallbacks of a browser whose WebSocket is blocked),
 * spoken by hand; {@code BrowserEventBusTest} drives the same with the official client in Chromium.
 */
@DisplayName("/eventbus over SockJS's HTTP transports: the same events, refusals and bounds as over WebSocket")
class SockJsHttpTransportsTest {

  private static final JsonObject ACCESS_DENIED = new JsonObject().put("type", "err").put("body", "access_denied");

  @RegisterExtension
  static final LiveService live = new LiveService(Map.of("UOW_LIVE_UPDATES__MAX_INBOUND_BYTES", "16384",
      "UOW_LIVE_UPDATES__MAX_SUBSCRIPTIONS_PER_CLIENT", "3"));

  @ParameterizedTest
  @EnumSource(Transport.class)
  void eventsArriveAndInboundSendsAreRefused(Transport transport) {
    try (SockJsHttp session = new SockJsHttp(live.vertx(), live.service(), transport, "").open()) {
      // xhr_send answers 204, jsonp_send 200 "ok": the frames were taken, whatever the bridge then says
      assertThat(session.send(frame("register", "uow.events"))).isIn(200, 204);
      assertThat(session.send(frame("publish", "uow.units.0").put("body", new JsonObject()))).isIn(200, 204);
      assertThat(session.next()).isEqualTo(ACCESS_DENIED);

      String unit = live.units().open();
      String u = unique("u");
      live.units().add(unit, user(u)).committed(unit);

      List<JsonObject> events = session.until(m -> m.getJsonObject("body").getString("type")
          .equals("unit_of_work.committed") && m.getJsonObject("body").getString("unit_of_work_id").equals(unit));
      assertThat(events).filteredOn(m -> m.getJsonObject("body").getString("unit_of_work_id").equals(unit))
          .extracting(m -> m.getJsonObject("body").getString("entity_id"))
          .containsExactly(u, null);
    }
  }

  @Test
  void malformedSendsAreClientErrorsAndTheSessionLivesOn() {
    try (SockJsHttp session = new SockJsHttp(live.vertx(), live.service(), Transport.XHR_POLLING, "").open()) {
      record Bad(String suffix, String contentType, String body, int status) {
      }
      List<Bad> requests = List.of(
          new Bad("xhr_send", "text/plain", "", 400),
          new Bad("xhr_send", "text/plain", "[\"{}\"", 400),
          new Bad("xhr_send", "text/plain", "[1, 2]", 400),
          new Bad("xhr_send", "text/plain", "{\"type\":\"ping\"}", 400),
          new Bad("xhr_send", null, "x".repeat(16_385), 413),
          new Bad("jsonp_send", "application/json", "[\"{}\"]", 415),
          new Bad("jsonp_send", "application/x-www-form-urlencoded", "e=1", 400),
          new Bad("jsonp_send", "application/x-www-form-urlencoded", "d=%zz", 400),
          new Bad("jsonp_send", "application/x-www-form-urlencoded", "d=" + "%5B".repeat(6000), 413));
      for (Bad bad : requests) {
        SockJsHttp.Reply response = session.post(bad.suffix(), bad.contentType(), bad.body());
        assertThat(response.statusCode()).as(bad.toString()).isEqualTo(bad.status());
        assertThat(response.getHeader("Content-Type")).as(bad.toString()).isEqualTo("application/problem+json");
      }

      // a message that is not a bridge frame is the bridge's business: it answers in the protocol
      assertThat(session.post("xhr_send", "text/plain", "[\"not json\"]").statusCode()).isEqualTo(204);
      assertThat(session.next().getString("type")).isEqualTo("err");
      assertThat(session.send(frame("register", "uow.events"))).isEqualTo(204);
    }
  }

  @Test
  void aSessionMayRegisterForAsManyAddressesAsConfigured() {
    try (SockJsHttp session = new SockJsHttp(live.vertx(), live.service(), Transport.XHR_STREAMING, "").open()) {
      for (int i = 0; i < 4; i++) {
        assertThat(session.send(frame("register", "uow.progress.unit-" + i))).isEqualTo(204);
      }
      assertThat(session.next()).isEqualTo(new JsonObject().put("type", "err").put("body", "max_handlers_reached"));
    }
  }

  @Test
  void aWebSocketMessagePastTheInboundBoundClosesTheSocket() {
    try (LiveClient client = live.connect("/eventbus/websocket")) {
      client.send(frame("ping", "x".repeat(17_000)));
      // netty's decoder drops the connection (the client sees 1006): a close, not a buffered message
      assertThat(ServiceHarness.await(client.closed())).isIn((short) 1006, (short) 1009);
    }
  }

  @Test
  void aPollSaysItsConnectionCloses() {
    // the SockJS handler closes a receiving request's connection when it answers; a client told so
    // does not send its next poll on it
    try (SockJsHttp session = new SockJsHttp(live.vertx(), live.service(), Transport.XHR_POLLING, "")) {
      SockJsHttp.Reply poll = session.post("xhr", null, "");
      assertThat(poll.statusCode()).isEqualTo(200);
      assertThat(poll.getHeader("Connection")).isEqualToIgnoringCase("close");
    }
  }

  @Test
  void requestsOutsideTheProtocolAreProblemsNeverServerErrors() {
    record Hostile(HttpMethod method, String path, int status) {
    }
    List<Hostile> requests = List.of(
        // the SockJS handler serves htmlfile under any path that starts so: none of them is a transport
        new Hostile(HttpMethod.GET, "/eventbus/000/h1/htmlfile/x", 404),
        new Hostile(HttpMethod.GET, "/eventbus/000/h2/htmlfilex?c=cb", 404),
        new Hostile(HttpMethod.GET, "/eventbus/000/h3/htmlfile.js?c=cb", 404),
        new Hostile(HttpMethod.GET, "/eventbus/000/h4/nosuch", 404),
        new Hostile(HttpMethod.POST, "/eventbus/000/never-opened/xhr_send", 404),
        new Hostile(HttpMethod.GET, "/eventbus/000/w1/websocket", 426),
        new Hostile(HttpMethod.GET, "/eventbus/websocket", 426),
        new Hostile(HttpMethod.PUT, "/eventbus/000/w2/websocket", 405),
        new Hostile(HttpMethod.DELETE, "/eventbus/websocket", 405),
        new Hostile(HttpMethod.GET, "/eventbus/000/x1/xhr", 405),
        new Hostile(HttpMethod.PUT, "/eventbus/000/x2/xhr_send", 405),
        new Hostile(HttpMethod.POST, "/eventbus/000/x3/eventsource", 405),
        new Hostile(HttpMethod.GET, "/eventbus/info?x=%ZZ", 400),
        new Hostile(HttpMethod.GET, "/eventbus/000/q1/eventsource?access_token=%ZZ", 400),
        new Hostile(HttpMethod.GET, "/eventbus/000/q2/htmlfile?c=cb&x=%ZZ", 400),
        new Hostile(HttpMethod.POST, "/eventbus/000/q3/xhr?x=%ZZ", 400),
        new Hostile(HttpMethod.GET, "/ws?x=%ZZ", 400),
        new Hostile(HttpMethod.GET, "/api/v1/info?x=%ZZ", 400));
    for (Hostile hostile : requests) {
      SockJsHttp.Reply response = SockJsHttp.request(live.vertx(), live.service(),
          new RequestOptions().setMethod(hostile.method()).setURI(hostile.path()));
      assertThat(response.statusCode()).as(hostile.toString()).isEqualTo(hostile.status());
      assertThat(response.getHeader("Content-Type")).as(hostile.toString()).isEqualTo("application/problem+json");
    }
  }

  @Test
  void aJsonpSendMayCarryUpToTheInboundBound() {
    try (SockJsHttp session = new SockJsHttp(live.vertx(), live.service(), Transport.JSONP_POLLING, "").open()) {
      // past the 8 KiB a form field gets by default, within this suite's 16 KiB max_inbound_bytes
      String frames = new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "ping").encode()).encode()
          + " ".repeat(12_000);
      SockJsHttp.Reply response = session.post("jsonp_send", "application/x-www-form-urlencoded",
          "d=" + java.net.URLEncoder.encode(frames, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(response.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pollsWithoutAUsableCallbackAreClientErrors() {
    for (String path : List.of("/eventbus/000/s1/jsonp", "/eventbus/000/s2/htmlfile", "/eventbus/000/s3/jsonp?c=a(b)",
        "/eventbus/000/s4/htmlfile?c=" + "x".repeat(33), "/eventbus/000/s5/jsonp?callback=")) {
      SockJsHttp.Reply response = SockJsHttp.request(live.vertx(), live.service(),
          new RequestOptions().setMethod(HttpMethod.GET).setURI(path));
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      assertThat(new JsonObject(response.body()).getString("detail")).as(path).contains("callback");
    }
  }

  @Test
  void aBrowserOnAnotherOriginMayCallTheBridgeWithCredentials() {
    String origin = "https://app.example";
    SockJsHttp.Reply info = cors(HttpMethod.GET, "/eventbus/info", origin, Map.of());
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.getHeader("Access-Control-Allow-Origin")).isEqualTo(origin);
    assertThat(info.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(info.getHeader("Vary")).containsIgnoringCase("origin");

    SockJsHttp.Reply preflight = cors(HttpMethod.OPTIONS, "/eventbus/000/abc/xhr_send", origin,
        Map.of("Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(origin);
    assertThat(preflight.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(preflight.getHeader("Access-Control-Allow-Methods")).contains("POST");

    // the REST API keeps its rule: any origin, never credentials
    SockJsHttp.Reply api = cors(HttpMethod.GET, "/api/v1/info", origin, Map.of());
    assertThat(api.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(api.getHeader("Access-Control-Allow-Credentials")).isNull();
  }

  private static SockJsHttp.Reply cors(HttpMethod method, String path, String origin, Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path).putHeader("Origin", origin);
    headers.forEach(options::putHeader);
    return SockJsHttp.request(live.vertx(), live.service(), options);
  }
}
