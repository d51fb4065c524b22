package io.uowservice.security;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Rate limiting over HTTP, in memory (cache.type memory)")
class RateLimitingTest {

  private Vertx vertx;
  private ServiceHarness service;
  private WebClient otherClient;

  @BeforeEach
  void createVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    if (otherClient != null) {
      otherClient.close();
    }
    if (service != null) {
      service.close();
    }
    await(vertx.close());
  }

  private void start(int limit, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("UOW_SECURITY__RATE_LIMIT_REQUESTS", String.valueOf(limit));
    env.put("UOW_SECURITY__RATE_LIMIT_WINDOW", "60s");
    service = ServiceHarness.start(vertx, env);
  }

  /** A client connecting from another loopback address: another client IP to the service. */
  private HttpResponse<Buffer> getFrom(String localAddress, String path, boolean keepAlive) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setLocalAddress(localAddress)
        .setDefaultHost("127.0.0.1").setDefaultPort(service.config().http().port()).setKeepAlive(keepAlive));
    try {
      return await(client.get(path).send());
    } finally {
      client.close();
    }
  }

  @Test
  void deniedRequestsGet429ProblemWithRetryAfterAndRateLimitHeaders() {
    start(3, Map.of());

    for (int remaining = 2; remaining >= 0; remaining--) {
      Response ok = service.get("/api/v1/repositories/");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.header("RateLimit-Limit")).isEqualTo("3");
      assertThat(ok.header("RateLimit-Remaining")).isEqualTo(String.valueOf(remaining));
      assertThat(Long.parseLong(ok.header("RateLimit-Reset"))).isBetween(1L, 60L);
      assertThat(ok.header("Retry-After")).isNull();
    }

    Response denied = service.post("/api/v1/units-of-work"); // writes are limited like reads
    assertThat(denied.status()).isEqualTo(429);
    assertThat(denied.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(denied.json().getString("type")).isEqualTo("https://uow-service.dev/problems/rate-limited");
    assertThat(denied.json().getInteger("status")).isEqualTo(429);
    assertThat(denied.json().getString("instance")).isEqualTo("/api/v1/units-of-work");
    assertThat(denied.header("RateLimit-Limit")).isEqualTo("3");
    assertThat(denied.header("RateLimit-Remaining")).isEqualTo("0");
    long retryAfter = Long.parseLong(denied.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(denied.header("RateLimit-Reset")).isEqualTo(String.valueOf(retryAfter));
    assertThat(service.count("entity_ids")).isZero(); // nothing ran behind the limiter
  }

  @Test
  void inMemoryLimitWithoutRedis() {
    start(5, Map.of("UOW_CACHE__TYPE", "memory", "UOW_HTTP__INSTANCES", "2"));

    // a new connection per request, so both HTTP verticle instances serve: they share one count
    int ok = 0;
    int denied = 0;
    for (int i = 0; i < 12; i++) {
      int status = getFrom("127.0.0.1", "/api/v1/repositories/", false).statusCode();
      if (status == 200) {
        ok++;
      } else if (status == 429) {
        denied++;
      }
    }
    assertThat(ok).isEqualTo(5);
    assertThat(denied).isEqualTo(7);

    // another client IP still has its budget, and the stats count the denials
    HttpResponse<Buffer> stats = getFrom("127.0.0.2", "/api/v1/stats", true);
    assertThat(stats.statusCode()).isEqualTo(200);
    JsonObject body = stats.bodyAsJsonObject();
    assertThat(body.getJsonObject("denied")).isEqualTo(new JsonObject().put("401", 0).put("403", 0).put("429", 7));
    assertThat(body.getJsonObject("rate_limiter")).isEqualTo(new JsonObject().put("store", "memory").put("fail_open", 0));
    assertThat(body.getLong("commits")).isNotNull(); // the existing fields are still there
  }

  @Test
  void healthIsNeverRateLimited() {
    start(1, Map.of());

    for (int i = 0; i < 5; i++) {
      for (String probe : List.of("/health", "/api/v1/info")) {
        Response response = service.get(probe);
        assertThat(response.status()).as(probe).isEqualTo(200);
        assertThat(response.header("RateLimit-Limit")).as(probe).isNull();
      }
    }
    assertThat(service.get("/api/v1/stats").status()).isEqualTo(200); // the probes used none of the budget
    assertThat(service.get("/api/v1/stats").status()).isEqualTo(429);
    assertThat(service.get("/health").status()).isEqualTo(200);
  }

  @Test
  void failedAuthenticationsAreLimitedPerClientIpAndPastTheLimitNoTokenIsChecked() {
    start(1_000, Map.of("UOW_SECURITY__ENABLED", "true", "UOW_SECURITY__JWT_SECRET", AuthTest.SECRET,
        "UOW_SECURITY__FAILED_AUTH_LIMIT", "3", "UOW_SECURITY__FAILED_AUTH_WINDOW", "60s"));
    String good = AuthTest.token("alice", "reader");

    for (int i = 0; i < 3; i++) {
      assertThat(getWithToken("127.0.0.1", "not-a-token").statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> blocked = getWithToken("127.0.0.1", "not-a-token");
    HttpResponse<Buffer> evenAValidOne = getWithToken("127.0.0.1", good);

    assertThat(blocked.statusCode()).isEqualTo(429);
    assertThat(blocked.getHeader("Retry-After")).isNotNull();
    assertThat(evenAValidOne.statusCode()).as("a guess past the limit learns nothing").isEqualTo(429);
    assertThat(getWithToken("127.0.0.2", good).statusCode()).as("other clients are not affected").isEqualTo(200);
    assertThat(getFrom("127.0.0.1", "/health", true).statusCode()).isEqualTo(200);
  }

  private HttpResponse<Buffer> getWithToken(String localAddress, String token) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setLocalAddress(localAddress)
        .setDefaultHost("127.0.0.1").setDefaultPort(service.config().http().port()));
    try {
      return await(client.get("/api/v1/repositories/").putHeader("Authorization", "Bearer " + token).send());
    } finally {
      client.close();
    }
  }

  @Test
  void liveUpdateUpgradesCountAgainstTheSameBudget() {
    start(2, Map.of());
    assertThat(getFrom("127.0.0.1", "/api/v1/repositories/", true).statusCode()).isEqualTo(200);
    assertThat(getFrom("127.0.0.1", "/api/v1/repositories/", true).statusCode()).isEqualTo(200);

    Throwable refused = await(vertx.createWebSocketClient().connect(service.config().http().port(), "127.0.0.1", "/ws")
        .map(ws -> (Throwable) null).otherwise(err -> err));

    assertThat(refused).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
    assertThat(((io.vertx.core.http.UpgradeRejectedException) refused).getStatus()).isEqualTo(429);
  }

  @Test
  void eachClientIpHasItsOwnBudget() {
    start(2, Map.of());

    assertThat(getFrom("127.0.0.1", "/api/v1/repositories/", true).statusCode()).isEqualTo(200);
    assertThat(getFrom("127.0.0.1", "/api/v1/repositories/", true).statusCode()).isEqualTo(200);
    assertThat(getFrom("127.0.0.1", "/api/v1/repositories/", true).statusCode()).isEqualTo(429);
    HttpResponse<Buffer> other = getFrom("127.0.0.2", "/api/v1/repositories/", true);
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.getHeader("RateLimit-Remaining")).isEqualTo("1");
  }

  @Test
  void xForwardedForIsIgnoredUnlessTrusted() {
    start(1, Map.of());
    assertThat(service.send(io.vertx.core.http.HttpMethod.GET, "/api/v1/repositories/", null,
        Map.of("X-Forwarded-For", "203.0.113.1")).status()).isEqualTo(200);
    assertThat(service.send(io.vertx.core.http.HttpMethod.GET, "/api/v1/repositories/", null,
        Map.of("X-Forwarded-For", "203.0.113.2")).status()).isEqualTo(429); // a forged header buys nothing
  }

  @Test
  void withATrustedProxyTheLastForwardedAddressIsTheClient() {
    start(1, Map.of("UOW_SECURITY__TRUST_FORWARDED_FOR", "true"));
    // our proxy appends the address it saw; whatever the client put before that does not count
    assertThat(forwarded("198.51.100.7, 203.0.113.1")).isEqualTo(200);
    assertThat(forwarded("198.51.100.8, 203.0.113.1")).isEqualTo(429);
    assertThat(forwarded("203.0.113.2")).isEqualTo(200);
  }

  private int forwarded(String header) {
    return service.send(io.vertx.core.http.HttpMethod.GET, "/api/v1/repositories/", null,
        Map.of("X-Forwarded-For", header)).status();
  }

  @Test
  void eachDenialIsLoggedWithoutQueryStringOrHeaders() {
    Logger audit = (Logger) LoggerFactory.getLogger("io.uowservice.security.audit");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    Level level = audit.getLevel();
    audit.setLevel(Level.INFO); // whatever other code in this JVM did to the root level
    try {
      start(1, Map.of());
      service.get("/api/v1/entities/product?access_token=s3cr3t");
      Response denied = service.send(io.vertx.core.http.HttpMethod.GET, "/api/v1/entities/product?access_token=s3cr3t",
          null, Map.of("Authorization", "Bearer s3cr3t-too"));
      assertThat(denied.status()).isEqualTo(429);

      assertThat(lines.list).hasSize(1);
      String line = lines.list.get(0).getFormattedMessage();
      assertThat(line).isEqualTo("denied 429 GET /api/v1/entities/product client=ip:127.0.0.1 reason=rate-limited");
    } finally {
      audit.setLevel(level);
      audit.detachAppender(lines);
    }
  }
}
