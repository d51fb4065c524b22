package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sends more than 10,000 malformed or hostile requests (bodies, headers, paths, filters) from a
 * fixed-seed generator to the whole service. Every answer must be a 4xx problem, or a 2xx for the
 * inputs that are actually valid (counted apart); never a 5xx; the service stays healthy and no
 * entity table changes. Prints the outcome counts by status.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Fuzz: hostile input gets 4xx problems, never a 5xx, and writes nothing")
class FuzzTest {

  private static final long SEED = 0x5EED_2026_1125L;
  private static final int CASES = 10_500;
  private static final int IN_FLIGHT = 8;
  private static final int MAX_BODY = 65_536;
  private static final java.util.concurrent.atomic.AtomicInteger RETRIED = new java.util.concurrent.atomic.AtomicInteger();
  private static final List<String> TABLES = List.of("entity_ids", "users", "products", "orders", "order_items",
      "payments", "custom_entities", "entity_types", "idempotency_keys");

  private static final List<String> INJECTIONS = List.of(
      "' OR '1'='1", "x' OR 1=1 -- ", "'; DROP TABLE users; --", "\"; DROP TABLE entity_ids; --", "1; DELETE FROM products",
      "' UNION SELECT id, name FROM users --", "admin'--", "1' AND SLEEP(5)#", "%' OR 'x'='x", "\\'; SHOW TABLES; --",
      "`users`", "users; --", "0x27204f522031", "CHAR(39)", "' OR ''='", "1 OR 1=1", "\" OR \"\"=\"", "\\",
      "\"},{\"op\":\"deleted\",\"type\":\"user\",\"id\":\"u-1\"}", "\",\"active\":false,\"x\":\"", "{\"$gt\":\"\"}",
      "$where: '1'", "../../../../etc/passwd", "..%2f..%2f", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
      "%00", "\u0000", "\u202e\u0644", "\ud83d\ude00", "NaN", "null", "true", "[]", "{}", "-1", "1e400");

  private record Case(String kind, HttpMethod method, String uri, Map<String, String> headers, Buffer body,
      boolean designedInvalid) {
  }

  /** What is kept of an exchange: small, so 10,000 of them cost little memory. */
  private record Outcome(String kind, HttpMethod method, boolean designedInvalid, String request, int status,
      String contentType, String body, Throwable failure, boolean problem) {

    static Outcome of(Case c, int status, String contentType, String body, Throwable failure) {
      return new Outcome(c.kind(), c.method(), c.designedInvalid(), describe(c), status, contentType,
          body == null || body.length() <= 2048 ? body : body.substring(0, 2048) + "...", failure,
          isProblem(c.method(), status, contentType, body, failure));
    }
  }

  @Test
  void hostileRequestsGet4xxProblemsNever5xxAndWriteNothing(Vertx vertx) throws Exception {
    long started = System.nanoTime();
    try (ServiceHarness service = ServiceHarness.start(vertx, Map.of("UOW_HTTP__MAX_BODY_BYTES", String.valueOf(MAX_BODY)))) {
      // some committed rows, so filters have something to leak and tables something to lose
      JsonObject seeded = service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
          .add(new JsonObject().put("op", "new").put("type", "user").put("id", "fuzz-user").put("name", "Ada")
              .put("attributes", new JsonObject().put("email", "ada@example.com")))
          .add(new JsonObject().put("op", "new").put("type", "product").put("id", "fuzz-product").put("name", "Tea")
              .put("attributes", new JsonObject().put("sku", "tea-1").put("price", "2.50").put("category", "drinks")))))
          .json();
      assertThat(seeded.getJsonArray("results")).hasSize(2);
      String unit = service.post("/api/v1/units-of-work").json().getString("id");
      Map<String, Long> before = counts(service);

      // cases are generated as they are sent: the big ones are never all in memory at once
      List<Outcome> outcomes = run(vertx, service.config().http().port(), new Generator(new Random(SEED), unit));

      Map<Integer, Integer> byStatus = new TreeMap<>();
      Map<String, Integer> validByKind = new TreeMap<>();
      List<Outcome> bad = new ArrayList<>();
      for (Outcome o : outcomes) {
        byStatus.merge(o.status(), 1, Integer::sum);
        if (o.status() >= 200 && o.status() < 300) {
          validByKind.merge(o.kind(), 1, Integer::sum);
          if (o.designedInvalid()) {
            bad.add(o);
          }
        } else if (!o.problem()) {
          bad.add(o);
        }
      }
      System.out.printf("FUZZ seed=%d cases=%d in %d ms; responses by status: %s; 2xx (valid inputs) by kind: %s;"
          + " resent after a lost connection: %d%n", SEED, outcomes.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), byStatus, validByKind, RETRIED.get());

      assertThat(outcomes).hasSize(CASES);
      assertThat(outcomes).as("exchanges without a response").filteredOn(o -> o.failure() != null).isEmpty();
      assertThat(bad).as("responses that are neither a 4xx problem nor a 2xx for a valid input")
          .extracting(o -> o.request() + " -> " + o.status() + " " + o.contentType() + " "
              + (o.failure() != null ? o.failure() : o.body())).isEmpty();
      assertThat(byStatus.keySet()).as("no 5xx").allMatch(status -> status < 500);
      ServiceHarness.Response health = service.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().getString("status")).isEqualTo("UP");
      assertThat(counts(service)).as("no entity table changed").isEqualTo(before);
      assertThat(service.get("/api/v1/entities/user/fuzz-user").json().getString("name")).isEqualTo("Ada");
    }
  }

  /** A 4xx answered with problem JSON (status, title, detail; no stack trace). */
  private static boolean isProblem(HttpMethod method, int status, String contentType, String body, Throwable failure) {
    if (failure != null || status < 400 || status >= 500) {
      return false;
    }
    if (method == HttpMethod.HEAD) {
      return true; // a HEAD answer has no body by definition
    }
    if (contentType == null || !contentType.startsWith("application/problem+json")) {
      return false;
    }
    try {
      JsonObject problem = new JsonObject(body);
      return problem.getInteger("status") == status && problem.getString("title") != null
          && problem.getString("detail") != null && !body.contains("Exception") && !body.contains("\tat ")
          && body.length() < 8192; // bounded: hostile input is not echoed back in full
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String describe(Case c) {
    String uri = c.uri().length() > 200 ? c.uri().substring(0, 200) + "..." : c.uri();
    String body = c.body() == null ? "" : c.body().toString(StandardCharsets.UTF_8);
    return c.kind() + ": " + c.method() + " " + uri + " " + c.headers().keySet()
        + " body=" + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
  }

  private static Map<String, Long> counts(ServiceHarness service) {
    Map<String, Long> counts = new LinkedHashMap<>();
    TABLES.forEach(table -> counts.put(table, service.count(table)));
    return counts;
  }

  /** Sends every case, {@value #IN_FLIGHT} at a time, from this (JUnit) thread. */
  private static List<Outcome> run(Vertx vertx, int port, Generator generator) throws InterruptedException {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(port).setMaxInitialLineLength(1 << 20).setMaxHeaderSize(1 << 20),
        new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    Semaphore slots = new Semaphore(IN_FLIGHT);
    CountDownLatch done = new CountDownLatch(CASES);
    for (int i = 0; i < CASES; i++) {
      slots.acquire();
      Case c = generator.next();
      // a bounded wait per case, retried once (counted and printed): a pooled keep-alive connection can
      // be lost to the server closing it after an earlier refusal (414/431/400 close it); a case
      // that fails twice is a finding
      attempt(vertx, client, c).recover(e -> {
        RETRIED.incrementAndGet();
        return attempt(vertx, client, c);
      }).onComplete(ar -> {
        outcomes.add(ar.succeeded() ? ar.result() : Outcome.of(c, -1, null, null, ar.cause()));
        slots.release();
        done.countDown();
      });
    }
    assertThat(done.await(5, TimeUnit.MINUTES)).isTrue();
    client.close();
    return new ArrayList<>(outcomes);
  }

  private static Future<Outcome> attempt(Vertx vertx, HttpClientAgent client, Case c) {
    io.vertx.core.Promise<Outcome> answered = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(10_000, id -> answered.tryFail("no response within 10 s"));
    send(client, c, 2).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        answered.tryComplete(ar.result());
      } else {
        answered.tryFail(ar.cause());
      }
    });
    return answered.future();
  }

  /** One exchange; a connection the server closed after an earlier refusal is retried on a fresh one. */
  private static Future<Outcome> send(HttpClientAgent client, Case c, int attempts) {
    RequestOptions options = new RequestOptions().setMethod(c.method()).setURI(c.uri()).setIdleTimeout(5_000);
    c.headers().forEach(options::putHeader);
    return client.request(options)
        .compose(request -> c.body() == null ? request.send() : request.send(c.body()))
        .compose(response -> response.body().map(body -> Outcome.of(c, response.statusCode(),
            response.getHeader("Content-Type"), body.toString(StandardCharsets.UTF_8), null)))
        .recover(failure -> attempts > 1 ? send(client, c, attempts - 1) : Future.failedFuture(failure));
  }

  /** The hostile inputs, drawn from a seeded Random: the same cases on every run. */
  private static final class Generator {
    private final Random random;
    private final String unitBase;
    private final List<Supplier<Case>> kinds = new ArrayList<>();

    Generator(Random random, String unit) {
      this.random = random;
      this.unitBase = "/api/v1/units-of-work/" + unit;
      kinds.add(this::malformedJson);
      kinds.add(this::invalidUtf8);
      kinds.add(this::hugeNumbers);
      kinds.add(this::deepNesting);
      kinds.add(this::longStrings);
      kinds.add(this::injectionInBody);
      kinds.add(this::wrongTypes);
      kinds.add(this::missingFields);
      kinds.add(this::unknownFields);
      kinds.add(this::notAnObject);
      kinds.add(this::badContentType);
      kinds.add(this::hugeHeader);
      kinds.add(this::badIdempotencyKey);
      kinds.add(this::junkUnitHeader);
      kinds.add(this::oddPath);
      kinds.add(this::injectionInPath);
      kinds.add(this::filters);
      kinds.add(this::wrongMethod);
    }

    Case next() {
      return kinds.get(random.nextInt(kinds.size())).get();
    }

    private <T> T pick(List<T> options) {
      return options.get(random.nextInt(options.size()));
    }

    private String injection() {
      return pick(INJECTIONS);
    }

    // ---- targets and valid bodies that the mutations start from ----

    private String registerPath(String state) {
      return random.nextBoolean() ? unitBase + "/entities/" + state : "/api/v1/unit-of-work/entities/" + state;
    }

    /** A body route with a body that would be accepted as it is. */
    private Target validTarget() {
      return switch (random.nextInt(6)) {
        case 0, 1 -> new Target(registerPath("new"), new JsonObject().put("type", pick(List.of("custom", "user", "product")))
            .put("name", "n" + random.nextInt(1000)).put("attributes", new JsonObject()), List.of("name", "type"),
            List.of("name", "type", "description", "metadata", "active", "attributes", "id", "lid"));
        case 2 -> new Target(registerPath(pick(List.of("dirty", "deleted", "clean"))), new JsonObject()
            .put("entity_id", "fuzz-user").put("expected_version", 1), List.of("entity_id"),
            List.of("entity_id", "type", "expected_version", "changes"));
        case 3 -> new Target("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
            .add(new JsonObject().put("op", "new").put("type", "custom").put("name", "t"))), List.of("operations"),
            List.of("operations"));
        case 4 -> new Target(unitBase + "/savepoints", new JsonObject().put("name", "sp1"), List.of("name"), List.of("name"));
        default -> new Target("/api/v1/repositories/", new JsonObject().put("entity_type", "fuzz_type")
            .put("name", "Fuzz"), List.of("entity_type", "name"), List.of("entity_type", "name", "description", "schema",
            "references"));
      };
    }

    /** A mutation that breaks {@code body} for sure: a typed top-level field gets a value of another type. */
    private JsonObject broken(Target target) {
      JsonObject body = target.body().copy();
      String field = pick(target.fields());
      body.put(field, switch (field) {
        case "operations" -> pick(List.of(new JsonObject(), "ops", 1, new JsonArray().add(1)));
        case "expected_version" -> pick(List.of("1", -1, 1.5, true));
        case "active" -> pick(List.of("yes", 1, new JsonArray()));
        case "attributes", "metadata", "changes", "schema", "references" -> pick(List.of("x", 1, new JsonArray().add("a")));
        default -> pick(List.of(42, true, new JsonArray(), new JsonObject().put("a", 1), 1.5));
      });
      return body;
    }

    private Case post(String kind, String uri, Buffer body, boolean designedInvalid) {
      return new Case(kind, HttpMethod.POST, uri, Map.of("Content-Type", "application/json"), body, designedInvalid);
    }

    // ---- the kinds ----

    private Case malformedJson() {
      Target target = validTarget();
      String text = target.body().encode();
      String broken = switch (random.nextInt(6)) {
        case 0 -> text.substring(0, 1 + random.nextInt(text.length() - 1)); // truncated
        case 1 -> text.substring(0, text.length() - 1) + ",}"; // trailing comma
        case 2 -> text.replace("\"", "'"); // single quotes
        case 3 -> "{" + text; // unbalanced
        case 4 -> text.replaceFirst(":", ":: "); // double colon
        default -> pick(List.of("{", "}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{\"a\":NaN}", "{\"a\":01}",
            "{\"a\":\"\\x\"}", "/* c */{}", "{\"a\":1}}", "\u0000{}", "{\"a\":tru}"));
      };
      return post("malformed-json", target.uri(), Buffer.buffer(broken), true);
    }

    private Case invalidUtf8() {
      Target target = validTarget();
      byte[][] sequences = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, (byte) 0x82},
          {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xFE, (byte) 0xFF}};
      byte[] bad = sequences[random.nextInt(sequences.length)];
      // a broken sequence inside a string value, or raw in the structure
      String text = target.body().encode();
      int at = random.nextBoolean() && text.indexOf("\":\"") > 0 ? text.indexOf("\":\"") + 3 : random.nextInt(text.length());
      Buffer body = Buffer.buffer(text.substring(0, at)).appendBytes(bad).appendString(text.substring(at));
      return post("invalid-utf8", target.uri(), body, true);
    }

    private Case hugeNumbers() {
      String number = pick(List.of("1e400", "-1e400", "1208925819614629174706176", "-9223372036854775809",
          "9223372036854775808", "1e-400", "123456789012345678901234567890.5", "1" + "0".repeat(1200), "0.".concat("1".repeat(2000))));
      Target target = validTarget();
      if (target.uri().endsWith("/transactions")) {
        // a number where the contract wants something else, so it cannot commit
        JsonObject op = new JsonObject().put("op", "dirty").put("type", "product").put("id", "fuzz-product");
        String text = op.encode().replace("}", ",\"expected_version\":" + number + "}");
        return post("huge-number", target.uri(), Buffer.buffer("{\"operations\":[" + text + "]}"), true);
      }
      String field = pick(List.of("expected_version", "name", "attributes.stock", "attributes.price", "metadata.n"));
      String text = target.body().encode();
      String body = field.startsWith("attributes.") || field.startsWith("metadata.")
          ? text.substring(0, text.length() - 1) + ",\"" + field.substring(0, field.indexOf('.')) + "\":{\""
              + field.substring(field.indexOf('.') + 1) + "\":" + number + "}}"
          : text.substring(0, text.length() - 1) + ",\"" + field + "\":" + number + "}";
      // in a session unit an open object may hold any number (nothing is committed here)
      return post("huge-number", target.uri(), Buffer.buffer(body), !target.uri().contains("/entities/"));
    }

    private Case deepNesting() {
      int depth = pick(List.of(33, 64, 200, 1000, 5000, 30_000, 100_000));
      String open = random.nextBoolean() ? "[" : "{\"a\":";
      String close = open.equals("[") ? "]" : "}";
      String nested = open.repeat(depth) + "1" + close.repeat(depth);
      Target target = validTarget();
      String field = pick(List.of("attributes", "metadata", "changes", "operations", "schema", "name"));
      String text = target.body().encode();
      return post("deep-nesting", target.uri(), Buffer.buffer(text.substring(0, text.length() - 1) + ",\"" + field + "\":"
          + nested + "}"), true);
    }

    private Case longStrings() {
      Target target = validTarget();
      int length = pick(List.of(1_001, 5_000, 16_384, 70_000, 200_000));
      String field = pick(target.fields());
      JsonObject body = target.body().copy();
      String value = "x".repeat(length);
      boolean asKey = random.nextInt(4) == 0;
      if (asKey) {
        body.put(value, 1);
      } else if (field.equals("operations")) {
        body.put(field, new JsonArray().add(new JsonObject().put("op", "new").put("type", "custom").put("name", value)));
      } else {
        body.put(field, value);
      }
      neverARepository(target, body);
      boolean mayBeValid = !asKey && length <= 16_383 && field.equals("description");
      return post("long-string", target.uri(), body.toBuffer(), !mayBeValid || writes(target));
    }

    private Case injectionInBody() {
      Target target = validTarget();
      JsonObject body = target.body().copy();
      String field = pick(target.allowed());
      if (field.equals("operations")) {
        // a hostile type never names a registered type: this cannot commit
        body.put("operations", new JsonArray().add(new JsonObject().put("op", "new").put("type", "x-" + injection())
            .put("name", injection())));
      } else {
        body.put(field, injection());
      }
      neverARepository(target, body);
      // in a session unit a hostile name is just a name (201); the writing routes refuse
      return post("injection-body", target.uri(), body.toBuffer(), writes(target));
    }

    private Case wrongTypes() {
      Target target = validTarget();
      return post("wrong-type", target.uri(), broken(target).toBuffer(), true);
    }

    private Case missingFields() {
      Target target = validTarget();
      JsonObject body = target.body().copy();
      String missing = pick(target.required());
      body.remove(missing);
      // a new entity without a type gets the default type: valid
      return post("missing-field", target.uri(), body.toBuffer(), !missing.equals("type"));
    }

    private Case unknownFields() {
      Target target = validTarget();
      JsonObject body = target.body().copy();
      String name = pick(List.of("colour", "version", "created_at", "state", "__proto__", "constructor", "$where",
          "id; DROP TABLE users", injection()));
      if (target.allowed().contains(name)) {
        name = name + "_x";
      }
      body.put(name, pick(List.of("x", 1, true, new JsonObject())));
      return post("unknown-field", target.uri(), body.toBuffer(), true);
    }

    private Case notAnObject() {
      Target target = validTarget();
      String body = pick(List.of("[]", "[{}]", "1", "\"x\"", "null", "true", "", " ", "\n", "[" + target.body().encode() + "]"));
      return post("not-an-object", target.uri(), Buffer.buffer(body), true);
    }

    private Case badContentType() {
      Target target = validTarget();
      // (text/plain and form-urlencoded with a JSON body are read as JSON: curl -d habits)
      String type = pick(List.of("application/xml", "multipart/form-data; boundary=x", "text/json",
          "application/jsonx", "image/png", "*/*", "application/", ";;;", "application/json-patch"));
      JsonObject body = target.uri().endsWith("/transactions") || target.uri().contains("/repositories")
          ? broken(target) : target.body();
      return new Case("bad-content-type", HttpMethod.POST, target.uri(), Map.of("Content-Type", type), body.toBuffer(), true);
    }

    private Case hugeHeader() {
      Target target = validTarget();
      int size = pick(List.of(9_000, 20_000, 100_000));
      String name = pick(List.of("X-Junk", "Idempotency-Key", "X-Unit-Of-Work-Id", "Authorization", "Content-Type"));
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      headers.put(name, "a".repeat(size));
      return new Case("huge-header", HttpMethod.POST, target.uri(), headers, broken(target).toBuffer(), true);
    }

    private Case badIdempotencyKey() {
      String key = pick(List.of("", " ", "has space", "k".repeat(256), "caf\u00e9", "tab\there", "\u00ff\u00fe"));
      boolean commit = random.nextBoolean();
      String uri = commit ? unitBase + "/commit" : "/api/v1/transactions";
      Buffer buffer = commit ? null : new JsonObject().put("operations", new JsonArray()
          .add(new JsonObject().put("op", "new").put("type", "custom").put("name", "k"))).toBuffer();
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Idempotency-Key", key);
      if (buffer != null) {
        headers.put("Content-Type", "application/json");
      }
      return new Case("bad-idempotency-key", HttpMethod.POST, uri, headers, buffer, true);
    }

    private Case junkUnitHeader() {
      // never empty: an empty header would name the default unit, which holds valid registrations
      String value = pick(List.of("x", "00000000-0000-0000-0000-000000000000", headerSafe(injection()), "../../", "a".repeat(2000),
          "unit id with spaces", "%2e%2e"));
      String path = pick(List.of("/api/v1/unit-of-work", "/api/v1/unit-of-work/entities", "/api/v1/unit-of-work/entities/new",
          "/api/v1/unit-of-work/commit", "/api/v1/unit-of-work/savepoints"));
      HttpMethod method = path.endsWith("/commit") ? HttpMethod.POST
          : path.endsWith("/new") ? HttpMethod.POST : pick(List.of(HttpMethod.GET, HttpMethod.DELETE));
      if (path.endsWith("/savepoints")) {
        method = HttpMethod.POST;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("X-Unit-Of-Work-Id", value);
      Buffer body = null;
      if (method == HttpMethod.POST && !path.endsWith("/commit")) {
        headers.put("Content-Type", "application/json");
        body = path.endsWith("/new") ? new JsonObject().put("name", "x").toBuffer() : new JsonObject().put("name", "s").toBuffer();
      }
      // an empty header means "the default unit": valid, as is anything on the default unit
      return new Case("junk-unit-header", method, path, headers, body, false);
    }

    private Case oddPath() {
      String path = pick(List.of(
          "/api/v1/units-of-work/%2e%2e/%2e%2e/health", "/api/v1/entities/..%2F..%2Fusers/1", "/api/v1/./entities/user/x",
          "/api/v1/entities/user/" + "a".repeat(pick(List.of(2_000, 5_000, 70_000))), "/api/v1/entities/user%00/x",
          "/api/v1/entities/%", "/api/v1/entities/%zz/1", "//api//v1//stats", "/api/v1/entities/user/x;drop=1",
          "/api/v1/entities/user/%2F%2F", "/api/v1/units-of-work/" + "9".repeat(300), "/api/v1/../../etc/passwd",
          "/api/v1/entities/user/x/y/z", "/api/v1/units-of-work/x/entities/bogus", unitBase + "/entities/NEW",
          unitBase + "/entities/new/extra", "/api/v1/repositories/%00", "/api/v1/entities/user/%C0%AF",
          "/api/v1/entities/user/\u00e9", "/api/v1/entities/%20user/x", "/api/v1/entities/user/x?limit=1&limit=2",
          "/api/v1/entities/user/x#frag", "*", "/api/v1/entities/user/" + "%25".repeat(500)));
      HttpMethod method = pick(List.of(HttpMethod.GET, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.POST));
      Map<String, String> headers = new LinkedHashMap<>();
      Buffer body = null;
      if (method == HttpMethod.POST) {
        headers.put("Content-Type", "application/json");
        body = Buffer.buffer("{\"name\":1}");
      }
      return new Case("odd-path", method, path, headers, body, method == HttpMethod.POST);
    }

    private Case injectionInPath() {
      String bad = java.net.URLEncoder.encode(injection(), StandardCharsets.UTF_8);
      String path = pick(List.of("/api/v1/entities/" + bad + "/x", "/api/v1/entities/user/" + bad, "/api/v1/entities/" + bad,
          "/api/v1/entities/" + bad + "/count", "/api/v1/units-of-work/" + bad, "/api/v1/units-of-work/" + bad + "/entities",
          "/api/v1/repositories/" + bad, unitBase + "/entities/" + bad));
      HttpMethod method = pick(List.of(HttpMethod.GET, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE));
      return new Case("injection-path", method, path, Map.of(), null, false);
    }

    private Case filters() {
      String type = pick(List.of("user", "product", "order", "payment", "custom"));
      String field = pick(List.of("name", "email", "category", "sku", "status", "id", "active", "stock", "price", "version",
          "colour", "1=1", "name'--", "", "limit", "after"));
      String value = pick(List.of(injection(), injection(), "1", "-1", "abc", "1e400", "99999999999999999999", "%", "%%",
          "", "a".repeat(3000)));
      String query = encode(field) + "=" + encode(value);
      if (random.nextInt(5) == 0) {
        query = pick(List.of("%", "%%", "&&&", "a=%zz", "=x", "limit=%00", "after=%ff%fe", "name=%C0%AF"));
      }
      String path = "/api/v1/entities/" + type + (random.nextBoolean() ? "/count" : "") + "?" + query;
      return new Case("filter", HttpMethod.GET, path, Map.of(), null, false);
    }

    private Case wrongMethod() {
      String path = pick(List.of("/api/v1/units-of-work", unitBase, unitBase + "/commit", "/api/v1/transactions",
          "/api/v1/entities/user/fuzz-user", "/api/v1/stats", "/health", "/openapi.yaml", "/api/v1/repositories/"));
      HttpMethod method = pick(List.of(HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.valueOf("FUZZ"),
          HttpMethod.valueOf("PROPFIND")));
      return new Case("wrong-method", method, path, Map.of("Content-Type", "application/json"),
          Buffer.buffer("{\"operations\":1}"), true);
    }

    /** What a client can put in a header at all: no control characters, Latin-1 only. */
    private static String headerSafe(String value) {
      String safe = value.codePoints().filter(c -> c >= 0x20 && c < 0x7F || c >= 0xA0 && c <= 0xFF)
          .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
      return safe.isEmpty() ? "x" : safe;
    }

    /** True for the routes that write when the body is valid. */
    private static boolean writes(Target target) {
      return target.uri().endsWith("/transactions") || target.uri().contains("/repositories");
    }

    /** A repository body whose entity_type can never be registered. */
    private void neverARepository(Target target, JsonObject body) {
      if (target.uri().contains("/repositories")) {
        body.put("entity_type", "Bad-" + injection());
      }
    }

    private static String encode(String s) {
      return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
  }

  private record Target(String uri, JsonObject body, List<String> required, List<String> allowed) {
    List<String> fields() {
      return allowed;
    }
  }
}
