package io.uowservice.bridge;

import static io.uowservice.bridge.SockJsBridgeTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.bridge.SockJsHttp.Transport;
import io.uowservice.testsupport.Jwts;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("/eventbus with security on: every HTTP transport request is authorised, a session stays its opener's")
class SockJsAuthorisationTest {

  private static final String SECRET = "sockjs-authorisation-test-secret-0123456789";
  private static final String APP = "https://app.example";

  @RegisterExtension
  static final LiveService live = new LiveService(Map.of("UOW_SECURITY__ENABLED", "true",
      "UOW_SECURITY__JWT_SECRET", SECRET, "UOW_SECURITY__ALLOWED_ORIGINS", APP));

  private static String token(String subject, String... roles) {
    return Jwts.hs256(Jwts.claims(subject, 3600, roles), SECRET.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSessionCannotBeReadOrWrittenWithAnotherSubjectsToken() {
    try (SockJsHttp alice = new SockJsHttp(live.vertx(), live.service(), Transport.XHR_POLLING,
        "access_token=" + token("alice", "reader")).open()) {
      SockJsHttp bob = alice.as("access_token=" + token("bob", "reader"));

      SockJsHttp.Reply send = bob.post("xhr_send", "text/plain", "[\"{\\\"type\\\":\\\"ping\\\"}\"]");
      assertThat(send.statusCode()).isEqualTo(403);
      assertThat(bob.post("xhr", null, "").statusCode()).isEqualTo(403);
      // nor through a path the SockJS handler would serve as htmlfile (it takes htmlfile.*)
      for (String suffix : List.of("htmlfile/x?c=cb", "htmlfile.x?c=cb", "htmlfile?c=cb")) {
        SockJsHttp.Reply poll = SockJsHttp.request(live.vertx(), live.service(), new RequestOptions()
            .setMethod(HttpMethod.GET).setURI(alice.path(suffix) + "&access_token=" + token("bob", "reader")));
        assertThat(poll.statusCode()).as(suffix).isIn(403, 404);
      }

      // the owner goes on as before
      assertThat(alice.send(frame("register", "uow.not-for-clients"))).isEqualTo(204);
      assertThat(alice.next()).isEqualTo(new JsonObject().put("type", "err").put("body", "access_denied"));
    }
  }

  @Test
  void everyTransportRequestNeedsAReaderToken() {
    try (SockJsHttp alice = new SockJsHttp(live.vertx(), live.service(), Transport.XHR_POLLING,
        "access_token=" + token("alice", "reader")).open()) {
      assertThat(alice.as("").post("xhr_send", "text/plain", "[]").statusCode()).isEqualTo(401);
      assertThat(alice.as("access_token=not-a-token").post("xhr_send", "text/plain", "[]").statusCode()).isEqualTo(401);
      assertThat(alice.as("access_token=" + token("alice", "none")).post("xhr_send", "text/plain", "[]").statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  void onlyTheConfiguredOriginsMayCallTheBridge() {
    String query = "?access_token=" + token("alice", "reader");
    SockJsHttp.Reply allowed = get("/eventbus/info" + query, APP);
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(allowed.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");

    SockJsHttp.Reply refused = get("/eventbus/info" + query, "https://evil.example");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(refused.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  private static SockJsHttp.Reply get(String uri, String origin) {
    return SockJsHttp.request(live.vertx(), live.service(),
        new RequestOptions().setMethod(HttpMethod.GET).setURI(uri).putHeader("Origin", origin));
  }
}
