package io.uowservice.http;

import io.uowservice.api.JsonShape;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigLoader;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.Operation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The routes HttpVerticle serves and the operations of openapi.yaml are the same set. */
@ExtendWith(VertxExtension.class)
@DisplayName("openapi.yaml and the router cannot drift apart; the JSON pre-scan")
class ContractDriftTest {

  @Test
  void requestsAreCheckedByTheCompiledContractWithoutBuildingAnyOfTheLibrarysValidators(Vertx vertx) throws Exception {
    AppConfig config = ServiceHarness.await(ConfigLoader.load(vertx, null, Map.of("UOW_HTTP__PORT", "0",
        "UOW_HTTP__HOST", "127.0.0.1")));
    HttpVerticle verticle = new HttpVerticle();
    String id = ServiceHarness.await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.source())));
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI base = java.net.URI.create("http://127.0.0.1:" + verticle.port());
      Runnable invalidRequests = () -> {
        for (String body : List.of("{\"operations\": 7}", "{\"operations\": [{\"op\": 1}]}", "[]")) {
          send(http, java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/transactions"))
              .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        }
        send(http, java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/entities/product?limit=x")).GET());
      };
      for (int i = 0; i < 50; i++) {
        invalidRequests.run();
      }

      // (a fallback operation's validators are built once per schema: CompiledValidationTest)
      assertThat(verticle.contract().cachedValidators()).as("no request needed the library's validator").isZero();
    } finally {
      ServiceHarness.await(vertx.undeploy(id));
    }
  }

  private static void send(java.net.http.HttpClient http, java.net.http.HttpRequest.Builder request) {
    try {
      int status = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
      assertThat(status).as("refused by the contract").isEqualTo(400);
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyRouteHasAnOperationAndEveryOperationARoute(Vertx vertx) {
    // only the HTTP verticle: its start touches no database
    AppConfig config = ServiceHarness.await(ConfigLoader.load(vertx, null, Map.of("UOW_HTTP__PORT", "0",
        "UOW_HTTP__HOST", "127.0.0.1")));
    HttpVerticle verticle = new HttpVerticle();
    String id = ServiceHarness.await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.source())));
    try {
      Set<String> routes = new TreeSet<>();
      for (Route route : verticle.routes().getRoutes()) {
        if (route.getPath() == null || route.methods() == null) {
          continue; // the global handlers (headers, CORS, body, authentication)
        }
        for (HttpMethod method : route.methods()) {
          Operation operation = verticle.contract().operation(method, route.getPath());
          assertThat(operation).as("no operation in openapi.yaml for %s %s", method, route.getPath()).isNotNull();
          routes.add(method.name() + " " + operation.getOpenAPIPath());
        }
      }
      Set<String> operations = new TreeSet<>();
      verticle.contract().contract().operations()
          .forEach(op -> operations.add(op.getHttpMethod().name() + " " + op.getOpenAPIPath()));
      assertThat(routes).as("operations of openapi.yaml without a route").containsExactlyElementsOf(operations);
    } finally {
      ServiceHarness.await(vertx.undeploy(id));
    }
  }

  @Test
  void thePreScanRefusesDeepNestingAndLongStringsOnly() {
    assertThat(JsonShape.check(Buffer.buffer("[".repeat(33) + "]".repeat(33)), 32, 10)).contains("32 levels");
    assertThat(JsonShape.check(Buffer.buffer("[".repeat(32) + "]".repeat(32)), 32, 10)).isNull();
    assertThat(JsonShape.check(Buffer.buffer("{\"a\":\"" + "[".repeat(40) + "\"}"), 32, 100)).isNull();
    assertThat(JsonShape.check(Buffer.buffer("{\"a\":\"\\\"[[[\"}"), 2, 100)).isNull();
    assertThat(JsonShape.check(Buffer.buffer("{\"a\":\"" + "x".repeat(11) + "\"}"), 32, 10)).contains("longer");
    assertThat(JsonShape.check(Buffer.buffer("\"" + "x".repeat(11)), 32, 10)).contains("longer");
    // what the parser would read but this pass would not measure: comments, single-quoted strings
    assertThat(JsonShape.check(Buffer.buffer("/*\"*/{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}"), 32, 10))
        .contains("not JSON");
    assertThat(JsonShape.check(Buffer.buffer("{\"a\":1 // x\n}"), 32, 10)).contains("not JSON");
    assertThat(JsonShape.check(Buffer.buffer("{'a':'" + "x".repeat(20) + "'}"), 32, 10)).contains("not JSON");
    assertThat(JsonShape.check(Buffer.buffer("{\"a\":\"/* not a comment */ 'x' #\"}"), 32, 100)).isNull();
  }

  @Test
  void jsonPointersBecomeFieldPaths() {
    assertThat(ContractValidation.pointerToField("/operations/2/attributes/price")).isEqualTo("operations[2].attributes.price");
    assertThat(ContractValidation.pointerToField("#/name")).isEqualTo("name");
    assertThat(ContractValidation.pointerToField("")).isEmpty();
  }
}
