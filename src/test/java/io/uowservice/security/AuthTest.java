package io.uowservice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.Jwts;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@DisplayName("JWT authentication and roles on every route")
class AuthTest {

  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_SECRET", SECRET, "UOW_SECURITY__CLOCK_SKEW", "5s"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  static String token(String subject, String... roles) {
    return Jwts.hs256(Jwts.claims(subject, 3600, roles), SECRET.getBytes(StandardCharsets.UTF_8));
  }

  /** One route of the API and the least role it needs. */
  record Route(HttpMethod method, String path, String body, Role needs) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static List<Route> routes() {
    String unit = "/api/v1/units-of-work/00000000-0000-0000-0000-000000000000";
    String entity = "{\"type\":\"custom\",\"name\":\"n\"}";
    return List.of(
        new Route(HttpMethod.POST, "/api/v1/units-of-work", null, Role.WRITER),
        new Route(HttpMethod.GET, unit, null, Role.READER),
        new Route(HttpMethod.DELETE, unit, null, Role.WRITER),
        new Route(HttpMethod.POST, unit + "/entities/new", entity, Role.WRITER),
        new Route(HttpMethod.GET, unit + "/entities", null, Role.READER),
        new Route(HttpMethod.GET, unit + "/entities/new", null, Role.READER),
        new Route(HttpMethod.DELETE, unit + "/entities", null, Role.ADMIN),
        new Route(HttpMethod.POST, unit + "/commit", null, Role.WRITER),
        new Route(HttpMethod.POST, unit + "/rollback", null, Role.WRITER),
        new Route(HttpMethod.POST, unit + "/savepoints", "{\"name\":\"s\"}", Role.WRITER),
        new Route(HttpMethod.GET, unit + "/savepoints", null, Role.READER),
        new Route(HttpMethod.POST, "/api/v1/unit-of-work/entities/new", entity, Role.WRITER),
        new Route(HttpMethod.GET, "/api/v1/unit-of-work/entities", null, Role.READER),
        new Route(HttpMethod.DELETE, "/api/v1/unit-of-work/entities", null, Role.ADMIN),
        new Route(HttpMethod.POST, "/api/v1/unit-of-work/commit", null, Role.WRITER),
        new Route(HttpMethod.POST, "/api/v1/unit-of-work/rollback", null, Role.WRITER),
        new Route(HttpMethod.POST, "/api/v1/transactions",
            "{\"operations\":[{\"op\":\"new\",\"type\":\"custom\",\"name\":\"t\"}]}", Role.WRITER),
        new Route(HttpMethod.GET, "/api/v1/entities/user/u-1", null, Role.READER),
        new Route(HttpMethod.HEAD, "/api/v1/entities/user/u-1", null, Role.READER),
        new Route(HttpMethod.GET, "/api/v1/entities/user", null, Role.READER),
        new Route(HttpMethod.GET, "/api/v1/entities/user/count", null, Role.READER),
        new Route(HttpMethod.POST, "/api/v1/repositories/", "{\"entity_type\":\"x\",\"name\":\"x\"}", Role.ADMIN),
        new Route(HttpMethod.GET, "/api/v1/repositories/", null, Role.READER),
        new Route(HttpMethod.GET, "/api/v1/repositories/user", null, Role.READER),
        new Route(HttpMethod.GET, "/api/v1/stats", null, Role.READER));
  }

  enum Credential { NONE, EXPIRED, BAD_SIGNATURE, ALG_NONE, NO_EXP, WRONG_ROLE, RIGHT_ROLE }

  static Stream<Arguments> everyRouteWithEveryCredential() {
    List<Arguments> cases = new ArrayList<>();
    for (Route route : routes()) {
      for (Credential credential : Credential.values()) {
        if (credential == Credential.WRONG_ROLE && route.needs() == Role.READER) {
          continue; // every role can read: there is no wrong role for a read
        }
        cases.add(Arguments.of(route, credential));
      }
    }
    return cases.stream();
  }

  static String credential(Credential credential, Role needs) {
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    return switch (credential) {
      case NONE -> null;
      case EXPIRED -> Jwts.hs256(Jwts.claims("alice", -3600, "admin"), secret);
      case BAD_SIGNATURE -> Jwts.hs256(Jwts.claims("alice", 3600, "admin"),
          "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8));
      case ALG_NONE -> Jwts.none(Jwts.claims("alice", 3600, "admin"));
      case NO_EXP -> {
        JsonObject claims = Jwts.claims("alice", 3600, "admin");
        claims.remove("exp");
        yield Jwts.hs256(claims, secret);
      }
      case WRONG_ROLE -> token("alice", needs == Role.ADMIN ? "writer" : "reader");
      case RIGHT_ROLE -> token("alice", needs.claim());
    };
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("everyRouteWithEveryCredential")
  void everyRouteAnswers401For403ForOrLetsThrough(Route route, Credential credential) {
    String token = credential(credential, route.needs());
    Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);

    Response response = service.send(route.method(), route.path(), route.body(), headers);

    switch (credential) {
      case NONE -> {
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
      }
      case EXPIRED, BAD_SIGNATURE, ALG_NONE, NO_EXP -> {
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
      }
      case WRONG_ROLE -> assertThat(response.status()).isEqualTo(403);
      case RIGHT_ROLE -> assertThat(response.status()).as(response.toString()).isNotIn(401, 403, 500);
    }
    if (route.method() != HttpMethod.HEAD && response.status() >= 400) {
      assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }
  }

  @Test
  void liveUpdateEndpointsNeedATokenInTheHeaderOrTheAccessTokenParameter() {
    String reader = token("alice", "reader");

    assertThat(service.get("/ws").status()).isEqualTo(401);
    assertThat(service.get("/eventbus/info").status()).isEqualTo(401);
    assertThat(service.get("/ws?access_token=" + reader + "x").status()).isEqualTo(401);
    // authorised: a plain GET (no upgrade) now gets as far as the WebSocket handler
    assertThat(service.get("/ws?access_token=" + reader).status()).isEqualTo(426);
    assertThat(service.send(HttpMethod.GET, "/ws", null, Map.of("Authorization", "Bearer " + reader)).status())
        .isEqualTo(426);
    assertThat(service.get("/eventbus/info?access_token=" + reader).status()).isEqualTo(200);
  }

  @Test
  void healthInfoNeedNoToken() {
    assertThat(service.get("/health").status()).isEqualTo(200);
    assertThat(service.get("/api/v1/info").status()).isEqualTo(200);
  }

  @Test
  void anotherSubjectsUnitIsNotFoundRatherThanForbidden() {
    Map<String, String> alice = Map.of("Authorization", "Bearer " + token("alice", "writer"));
    Map<String, String> bob = Map.of("Authorization", "Bearer " + token("bob", "admin"));
    String unit = service.send(HttpMethod.POST, "/api/v1/units-of-work", null, alice).json().getString("id");

    assertThat(service.send(HttpMethod.GET, "/api/v1/units-of-work/" + unit, null, alice).status()).isEqualTo(200);
    assertThat(service.send(HttpMethod.GET, "/api/v1/units-of-work/" + unit, null, bob).status()).isEqualTo(404);
    assertThat(service.send(HttpMethod.POST, "/api/v1/units-of-work/" + unit + "/commit", null, bob).status())
        .isEqualTo(404);
  }

  @Test
  void eachSubjectHasItsOwnDefaultUnit() {
    Map<String, String> carol = Map.of("Authorization", "Bearer " + token("carol", "writer"));
    Map<String, String> dave = Map.of("Authorization", "Bearer " + token("dave", "writer"));
    service.send(HttpMethod.POST, "/api/v1/unit-of-work/entities/new", "{\"name\":\"carol's\"}", carol);

    assertThat(service.send(HttpMethod.GET, "/api/v1/unit-of-work/entities/new", null, carol).array()).hasSize(1);
    assertThat(service.send(HttpMethod.GET, "/api/v1/unit-of-work/entities/new", null, dave).array()).isEmpty();
  }

  @Test
  void theTokenCommandMintsTokensTheServiceAccepts() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int status = TokenCommand.run(new String[] {"--sub", "erin", "--roles", "writer,reader", "--ttl", "10m"},
        Map.of("UOW_SECURITY__JWT_SECRET", SECRET), new java.io.PrintStream(out), new java.io.PrintStream(err));

    assertThat(status).as(err.toString()).isZero();
    String minted = out.toString().trim();
    Response created = service.send(HttpMethod.POST, "/api/v1/units-of-work", null,
        Map.of("Authorization", "Bearer " + minted));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getString("owner")).isEqualTo("erin");
    assertThat(TokenCommand.run(new String[] {"--sub", "x", "--roles", "root"}, Map.of(),
        new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(2);
  }
}
