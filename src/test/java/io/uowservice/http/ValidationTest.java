package io.uowservice.http;

import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Bad input gets a 4xx problem and loses nothing; reads of committed data")
class ValidationTest {

  private static ServiceHarness service;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx testVertx) {
    vertx = testVertx;
    service = ServiceHarness.start(vertx, Map.of("UOW_UNIT_OF_WORK__MAX_ENTITIES", "3",
        "UOW_HTTP__MAX_BODY_BYTES", "4096"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static String unit() {
    return service.post("/api/v1/units-of-work").json().getString("id");
  }

  private static void assertProblem(Response response, int status) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = response.json();
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).isNotBlank();
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(response.raw().bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void malformedJsonIs400() {
    String unit = unit();
    assertProblem(service.postRaw("/api/v1/units-of-work/" + unit + "/entities/new", "{\"name\": "), 400);
    assertProblem(service.postRaw("/api/v1/units-of-work/" + unit + "/entities/new", "[1,2]"), 400);
    assertProblem(service.postRaw("/api/v1/units-of-work/" + unit + "/entities/new", ""), 400);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isZero();
  }

  @Test
  void invalidUtf8Is400AndNotStoredAsReplacementCharacters() {
    // found by FuzzTest: an overlong '/' (C0 AF) passed the JSON parser and was registered as "\uFFFD\uFFFD"
    String unit = unit();
    io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer("{\"name\":\"")
        .appendBytes(new byte[] {(byte) 0xC0, (byte) 0xAF}).appendString("x\"}");
    Response response = new Response(ServiceHarness.await(io.vertx.ext.web.client.WebClient.create(vertx)
        .post(service.config().http().port(), "127.0.0.1", "/api/v1/units-of-work/" + unit + "/entities/new")
        .putHeader("Content-Type", "application/json").sendBuffer(body)));
    assertProblem(response, 400);
    assertThat(response.json().getString("detail")).contains("UTF-8");
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isZero();
  }

  @Test
  void parametersAreCheckedAsTheTextTheRoutesRead() {
    // the library read "1.5" in a path as the number 1.5, and refused it as "not a string": ids may hold dots
    String id = unique("1.5");
    assertProblem(service.get("/api/v1/entities/product/1.5"), 404);
    JsonObject created = service.post("/api/v1/transactions", new JsonObject().put("operations", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "custom").put("id", id).put("name", "dotted")))).json();
    assertThat(created.encode()).contains(id);
    assertThat(service.get("/api/v1/entities/custom/" + id).json().getString("name")).isEqualTo("dotted");
    Response outOfRange = service.get("/api/v1/entities/product?limit=0");
    assertProblem(outOfRange, 400);
    assertThat(outOfRange.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("query limit");
    assertProblem(service.get("/api/v1/entities/product?limit=ten"), 400);
  }

  @Test
  void nestingPastTheLimitAndUnknownFieldsAre400() {
    String unit = unit();
    String deep = "[".repeat(40) + "]".repeat(40);
    Response nested = service.postRaw("/api/v1/units-of-work/" + unit + "/entities/new",
        "{\"name\":\"n\",\"metadata\":{\"a\":" + deep + "}}");
    assertProblem(nested, 400);
    assertThat(nested.json().getString("detail")).contains("32");
    Response unknown = service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "n").put("colour", "red"));
    assertProblem(unknown, 400);
    assertThat(unknown.json().getJsonArray("errors").encode()).contains("colour");
    Response form = new Response(ServiceHarness.await(io.vertx.ext.web.client.WebClient.create(vertx)
        .post(service.config().http().port(), "127.0.0.1", "/api/v1/units-of-work/" + unit + "/entities/new")
        .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(io.vertx.core.buffer.Buffer.buffer("name=n"))));
    assertProblem(form, 415);
    Response curlDefault = new Response(ServiceHarness.await(io.vertx.ext.web.client.WebClient.create(vertx)
        .post(service.config().http().port(), "127.0.0.1", "/api/v1/units-of-work/" + unit + "/entities/new")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"name\":\"sent by curl -d\"}"))));
    assertThat(curlDefault.status()).as("curl -d's default content type with a JSON body").isEqualTo(201);
  }

  @Test
  void numbersNoStoreCanHoldAreRefusedWith422AndNothingIsWritten() {
    for (String number : java.util.List.of("1e400", "-1e400", "1208925819614629174706176", "-9223372036854775809")) {
      String id = unique("n");
      for (String where : java.util.List.of("\"metadata\":{\"n\":%s}", "\"attributes\":{\"deep\":[{\"n\":%s}]}")) {
        String op = "{\"op\":\"new\",\"type\":\"custom\",\"id\":\"" + id + "\",\"name\":\"big\","
            + String.format(where, number) + "}";
        Response response = service.postRaw("/api/v1/transactions", "{\"operations\":[" + op + "]}");
        assertThat(response.status()).as(op + " -> " + response).isEqualTo(422);
        assertThat(response.json().getJsonArray("errors").encode()).contains("out of range");
      }
      assertThat(service.get("/api/v1/entities/custom/" + id).status()).isEqualTo(404);
    }
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    Response registered = service.postRaw("/api/v1/units-of-work/" + unit + "/entities/new",
        "{\"name\":\"ok\",\"attributes\":{\"n\":1}}");
    assertThat(registered.status()).isEqualTo(201);
    Response change = service.postRaw("/api/v1/units-of-work/" + unit + "/entities/dirty",
        "{\"entity_id\":\"" + registered.json().getString("id") + "\",\"changes\":{\"attributes\":{\"n\":1e400}}}");
    assertThat(change.status()).as(change.toString()).isEqualTo(422);
  }

  @Test
  void aSchemaThatCouldStallTheValidatorsIsRefusedWhenRegistered() {
    for (JsonObject schema : java.util.List.of(
        new JsonObject("{\"type\":\"object\",\"properties\":{\"c\":{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}}}"),
        new JsonObject("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}"),
        new JsonObject("{\"type\":\"object\",\"properties\":{\"c\":{\"pattern\":\"[unclosed\"}}}"),
        new JsonObject("{\"$ref\":\"http://169.254.169.254/latest\"}"))) {
      Response registered = service.post("/api/v1/repositories/", new JsonObject().put("entity_type", unique("t")
          .replace('-', '_')).put("name", "hostile").put("schema", schema));
      assertThat(registered.status()).as(schema.encode() + " -> " + registered).isEqualTo(422);
    }
  }

  @Test
  void commentsCannotSmuggleDeepOrLongJsonPastThePreScan() {
    String deep = "{\"op\":\"new\",\"name\":\"x\",\"attributes\":{\"a\":" + "[".repeat(150) + "]".repeat(150) + "}}";
    for (String body : java.util.List.of("/*\"*/{\"operations\":[" + deep + "]}",
        "{\"operations\":[ // \"\n" + deep + "]}",
        "{'operations':[" + deep + "]}")) {
      Response response = service.postRaw("/api/v1/transactions", body);
      assertThat(response.status()).as(body.substring(0, 30)).isEqualTo(400);
    }
    Response filter = service.get("/api/v1/entities/product?price=1e999999999");
    assertThat(filter.status()).as("an exponent is not expanded into a billion digits").isEqualTo(400);
    assertThat(service.get("/api/v1/entities/product?price=12.50").status()).isEqualTo(200);
  }

  @Test
  void hugeNumbersAreRefusedOrStoredNeverA500() {
    for (String number : java.util.List.of("1e400", "-1e400", "1208925819614629174706176", "1e-400", "123456789012345678901234567890.5")) {
      for (String where : java.util.List.of("\"metadata\":{\"n\":%s}", "\"attributes\":{\"n\":%s}",
          "\"type\":\"product\",\"attributes\":{\"sku\":\"" + unique("s") + "\",\"price\":\"1.00\",\"stock\":%s}")) {
        String op = "{\"op\":\"new\",\"name\":\"big\"," + String.format(where, number) + "}";
        Response response = service.postRaw("/api/v1/transactions", "{\"operations\":[" + op + "]}");
        assertThat(response.status()).as(op + " -> " + response).isIn(200, 400, 422);
      }
    }
  }

  @Test
  void requestsTheHttpDecoderRefusesGetProblemsToo() {
    for (String request : java.util.List.of("GET /api/v1/entities/ user/x HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
        "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
      String answer = ServiceHarness.await(vertx.createNetClient().connect(service.config().http().port(), "127.0.0.1")
          .compose(socket -> {
            io.vertx.core.Promise<String> read = io.vertx.core.Promise.promise();
            StringBuilder text = new StringBuilder();
            socket.handler(b -> text.append(b.toString()));
            socket.closeHandler(v -> read.tryComplete(text.toString()));
            vertx.setTimer(5_000, t -> read.tryComplete(text + "<no close within 5 s>"));
            return socket.write(request).compose(v -> read.future());
          }));
      assertThat(answer).as(request.substring(0, 40)).matches("(?s)HTTP/1\\.[01] 4\\d\\d .*")
          .contains("application/problem+json").doesNotContain("<no close");
    }
  }

  @Test
  void theContractIsServedWithoutAToken() {
    Response document = service.get("/openapi.yaml");
    assertThat(document.status()).isEqualTo(200);
    assertThat(document.header("Content-Type")).startsWith("application/yaml");
    assertThat(document.raw().bodyAsString()).startsWith("openapi: 3.1.0");
  }

  @Test
  void anUnknownEntityTypeIs422() {
    Response response = service.post("/api/v1/units-of-work/" + unit() + "/entities/new",
        new JsonObject().put("type", "spaceship").put("name", "x"));
    assertProblem(response, 422);
    assertThat(response.json().getString("detail")).contains("spaceship");
  }

  @Test
  void aTooLongNameIs422NamingTheField() {
    Response response = service.post("/api/v1/units-of-work/" + unit() + "/entities/new",
        new JsonObject().put("type", "custom").put("name", "x".repeat(101)));
    assertProblem(response, 422);
    assertThat(response.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("name");
  }

  @Test
  void wrongTypesOfEntityFieldsAre400AndOfAttributes422() {
    String unit = unit();
    // the entity's own fields are typed by openapi.yaml: every failing field is named at once
    Response wrongTypes = service.post("/api/v1/units-of-work/" + unit + "/entities/new", new JsonObject()
        .put("type", "product").put("name", 42).put("metadata", "x").put("colour", "red"));
    assertProblem(wrongTypes, 400);
    assertThat(wrongTypes.json().getJsonArray("errors")).extracting(e -> ((JsonObject) e).getString("field"))
        .contains("name", "metadata");
    assertThat(wrongTypes.json().getJsonArray("errors").encode()).contains("colour");
    // attributes follow each type's rules, checked by the service
    Response badAttributes = service.post("/api/v1/units-of-work/" + unit + "/entities/new", new JsonObject()
        .put("type", "product").put("name", "p").put("attributes", new JsonObject()
            .put("price", 9.99).put("stock", -1)));
    assertProblem(badAttributes, 422);
    assertThat(badAttributes.json().getJsonArray("errors").encode())
        .contains("attributes.sku", "attributes.price", "attributes.stock");

    Response badOrder = service.post("/api/v1/units-of-work/" + unit + "/entities/new", new JsonObject()
        .put("type", "order").put("name", "o").put("attributes", new JsonObject().put("currency", "EURO")));
    assertProblem(badOrder, 422);
    assertThat(badOrder.json().getJsonArray("errors").encode()).contains("user_id", "amount", "currency");
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isZero();
  }

  @Test
  void tooManyEntitiesInOneUnitIs422() {
    String unit = unit();
    for (int i = 0; i < 3; i++) {
      assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/new",
          new JsonObject().put("name", "n" + i)).status()).isEqualTo(201);
    }
    assertProblem(service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("name", "one too many")), 422);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isEqualTo(3);
  }

  @Test
  void aBodyPastTheLimitIs413() {
    JsonObject big = new JsonObject().put("name", "big").put("description", "x".repeat(5000));
    assertProblem(service.post("/api/v1/units-of-work/" + unit() + "/entities/new", big), 413);
  }

  @Test
  void badExpectedVersionIs400AndMissingEntityId422() {
    String unit = unit();
    assertProblem(service.post("/api/v1/units-of-work/" + unit + "/entities/dirty",
        new JsonObject().put("changes", new JsonObject())), 422);
    Response wrongType = service.post("/api/v1/units-of-work/" + unit + "/entities/deleted",
        new JsonObject().put("entity_id", "x").put("expected_version", "two"));
    assertProblem(wrongType, 400);
    assertThat(wrongType.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("expected_version");
  }

  @Test
  void unknownRoutesAndMethodsAreProblems() {
    assertProblem(service.get("/api/v1/nothing-here"), 404);
    assertProblem(service.send(HttpMethod.PUT, "/api/v1/units-of-work", "{}", Map.of()), 405);
  }

  @Test
  void readsOfCommittedData() {
    String unit = unit();
    String category = unique("cat");
    for (int i = 0; i < 3; i++) {
      service.post("/api/v1/units-of-work/" + unit + "/entities/new", new JsonObject().put("type", "product")
          .put("id", category + "-p" + i).put("name", "p" + i).put("attributes", new JsonObject()
              .put("sku", category + "-" + i).put("price", "1.5").put("category", category)));
    }
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(200);

    Response page1 = service.get("/api/v1/entities/product?category=" + category + "&limit=2");
    assertThat(page1.status()).isEqualTo(200);
    assertThat(page1.json().getJsonArray("items")).hasSize(2);
    assertThat(page1.json().getJsonArray("items").getJsonObject(0).getJsonObject("attributes").getString("price"))
        .isEqualTo("1.50");
    String next = page1.json().getString("next");
    assertThat(next).isNotNull();
    Response page2 = service.get("/api/v1/entities/product?category=" + category + "&limit=2&after=" + next);
    assertThat(page2.json().getJsonArray("items")).hasSize(1);
    assertThat(page2.json().getValue("next")).isNull();

    assertThat(service.get("/api/v1/entities/product/count?category=" + category).json().getLong("count"))
        .isEqualTo(3L);
    assertThat(service.head("/api/v1/entities/product/" + category + "-p0").status()).isEqualTo(200);
    assertThat(service.head("/api/v1/entities/product/nope").status()).isEqualTo(404);
    assertProblem(service.get("/api/v1/entities/product/nope"), 404);
    assertProblem(service.get("/api/v1/entities/spaceship/x"), 404);
    assertProblem(service.get("/api/v1/entities/product?colour=red"), 400);
    assertProblem(service.get("/api/v1/entities/product?limit=0"), 400);
    assertProblem(service.get("/api/v1/entities/product?stock=many"), 400);
    assertProblem(service.get("/api/v1/entities/product?after=%25%25"), 400);
    Response badLimit = service.get("/api/v1/entities/product?limit=lots");
    assertProblem(badLimit, 400);
    assertThat(badLimit.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("query limit");
  }

  @Test
  void filtersAreParametersNotSql() {
    String injection = "x' OR '1'='1";
    Response response = service.get("/api/v1/entities/user?email=" + java.net.URLEncoder.encode(injection,
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getJsonArray("items")).isEmpty();
    assertThat(service.count("users")).isGreaterThanOrEqualTo(0L);
  }

  @Test
  void repositoriesCanBeRegisteredListedAndDescribed() {
    String name = "loyalty_" + UUID.randomUUID().toString().substring(0, 6);
    JsonObject schema = new JsonObject().put("type", "object").put("properties", new JsonObject()
        .put("points", new JsonObject().put("type", "integer").put("minimum", 0)));
    Response created = service.post("/api/v1/repositories/", new JsonObject().put("entity_type", name)
        .put("name", "Loyalty accounts").put("description", "points").put("schema", schema));

    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("Location")).endsWith("/api/v1/repositories/" + name);
    assertThat(created.json().getJsonObject("schema")).isEqualTo(schema);
    assertProblem(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", name)
        .put("name", "again")), 409);
    assertProblem(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", "Bad-Name")
        .put("name", "x")), 422);
    assertProblem(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", "user")
        .put("name", "x")), 409);
    assertProblem(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", "broken_schema")
        .put("name", "x").put("schema", new JsonObject().put("type", "string"))), 422);

    JsonArray all = service.get("/api/v1/repositories/").array();
    assertThat(all).extracting(o -> ((JsonObject) o).getString("entity_type"))
        .contains("user", "product", "order", "payment", "custom", name);
    Response described = service.get("/api/v1/repositories/" + name);
    assertThat(described.json().getString("name")).isEqualTo("Loyalty accounts");
    assertThat(described.json().getLong("count")).isZero();
    assertProblem(service.get("/api/v1/repositories/nothing_here"), 404);

    Response negative = service.post("/api/v1/units-of-work/" + unit() + "/entities/new", new JsonObject()
        .put("type", name).put("name", "acct").put("attributes", new JsonObject().put("points", -5)));
    assertProblem(negative, 422);
  }

  @Test
  void corsPreflightIsAnsweredForAnyOriginWithoutCredentials() {
    Response preflight = service.send(HttpMethod.OPTIONS, "/api/v1/transactions", null, Map.of(
        "Origin", "https://shop.example", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "Authorization, Content-Type, Idempotency-Key"));

    assertThat(preflight.status()).isIn(200, 204);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isIn("*", "https://shop.example");
    assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
    assertThat(service.get("/api/v1/info").header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(service.get("/api/v1/info").header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void infoAndHealthNeedNothing() {
    Response info = service.get("/api/v1/info");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().getString("name")).isEqualTo("unit-of-work-service");
    assertThat(info.json().getString("version")).isNotBlank();
    assertThat(info.json().getString("description")).isNotBlank();

    Response health = service.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().getString("status")).isEqualTo("UP");
    assertThat(health.json().getJsonArray("checks")).extracting(o -> ((JsonObject) o).getString("id"))
        .contains("database");
  }
}
