package io.uowservice.testsupport;

import io.uowservice.Application;
import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole service deployed on a test's Vert.x instance, against its own fresh database, with an
 * HTTP client and a direct SQL connection to check what really landed. Calls block the JUnit
 * thread (never an event loop) so tests read top to bottom.
 */
public final class ServiceHarness implements AutoCloseable {

  private final Vertx vertx;
  private final TestDatabase database;
  private final AppConfig config;
  private final WebClient client;
  private final Pool sql;
  private final List<String> deployments;
  private final boolean ownsDatabase;

  private ServiceHarness(Vertx vertx, TestDatabase database, boolean ownsDatabase, AppConfig config,
      List<String> deployments) {
    this.vertx = vertx;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
    this.config = config;
    this.deployments = deployments;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(config.http().port()));
    this.sql = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(database.connectOptions())
        .using(vertx).build();
  }

  public static ServiceHarness start(Vertx vertx) {
    return start(vertx, Map.of());
  }

  /** {@code overrides} are extra UOW_* environment variables, e.g. UOW_UNIT_OF_WORK__MAX_ENTITIES=3. */
  public static ServiceHarness start(Vertx vertx, Map<String, String> overrides) {
    TestDatabase database = TestDatabases.createDatabase();
    try {
      return start(vertx, database, true, overrides);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** One node of several sharing {@code database}, which outlives the node (its closer drops it). */
  public static ServiceHarness startNode(Vertx vertx, TestDatabase database, Map<String, String> overrides) {
    return start(vertx, database, false, overrides);
  }

  /** The environment a service of {@code database} gets in tests, before a test's overrides. */
  public static Map<String, String> environment(TestDatabase database) {
    TestDatabases.Server server = database.server();
    Map<String, String> env = new HashMap<>();
    env.put("UOW_DATABASE__MYSQL__EMBEDDED", "false");
    env.put("UOW_DATABASE__MYSQL__HOST", server.host());
    env.put("UOW_DATABASE__MYSQL__PORT", String.valueOf(server.port()));
    env.put("UOW_DATABASE__MYSQL__USERNAME", server.username());
    env.put("UOW_DATABASE__MYSQL__PASSWORD", server.password());
    env.put("UOW_DATABASE__MYSQL__DATABASE", database.name());
    env.put("UOW_DATABASE__MYSQL__POOL_SIZE", "4");
    env.put("UOW_HTTP__HOST", "127.0.0.1");
    env.put("UOW_HTTP__PORT", String.valueOf(freePort()));
    env.put("UOW_HTTP__INSTANCES", "2");
    env.put("UOW_UNIT_OF_WORK__SHARDS", "2");
    // every test client is 127.0.0.1: keep suites that are not about rate limits clear of it
    env.put("UOW_SECURITY__RATE_LIMIT_REQUESTS", "1000000");
    return env;
  }

  private static ServiceHarness start(Vertx vertx, TestDatabase database, boolean ownsDatabase,
      Map<String, String> overrides) {
    Map<String, String> env = environment(database);
    env.putAll(overrides);
    AppConfig config = await(ConfigLoader.load(vertx, null, env));
    List<String> deployments = await(Application.deploy(vertx, config));
    return new ServiceHarness(vertx, database, ownsDatabase, config, deployments);
  }

  public Vertx vertx() {
    return vertx;
  }

  public AppConfig config() {
    return config;
  }

  public TestDatabase database() {
    return database;
  }

  public Response get(String path) {
    return send(HttpMethod.GET, path, null, Map.of());
  }

  public Response head(String path) {
    return send(HttpMethod.HEAD, path, null, Map.of());
  }

  public Response delete(String path) {
    return send(HttpMethod.DELETE, path, null, Map.of());
  }

  public Response post(String path) {
    return send(HttpMethod.POST, path, null, Map.of());
  }

  public Response post(String path, JsonObject body) {
    return send(HttpMethod.POST, path, body.encode(), Map.of());
  }

  public Response post(String path, JsonObject body, Map<String, String> headers) {
    return send(HttpMethod.POST, path, body.encode(), headers);
  }

  public Response postRaw(String path, String body) {
    return send(HttpMethod.POST, path, body, Map.of());
  }

  public Response send(HttpMethod method, String path, String body, Map<String, String> headers) {
    var request = client.request(method, path);
    headers.forEach(request::putHeader);
    Future<HttpResponse<Buffer>> response = body == null ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body));
    return new Response(await(response));
  }

  /** Rows of a query run directly on the service's database. */
  public List<Row> query(String sqlText) {
    return await(sql.query(sqlText).execute().map(rows -> {
      List<Row> out = new java.util.ArrayList<>();
      rows.forEach(out::add);
      return out;
    }));
  }

  public long count(String table) {
    return query("SELECT COUNT(*) FROM " + table).get(0).getLong(0);
  }

  @Override
  public void close() {
    try {
      for (String id : deployments) {
        await(vertx.undeploy(id));
      }
      client.close();
      await(sql.close());
    } finally {
      if (ownsDatabase) {
        database.close();
      }
    }
  }

  /** A response with its body read as JSON. */
  public record Response(HttpResponse<Buffer> raw) {

    public int status() {
      return raw.statusCode();
    }

    public String header(String name) {
      return raw.getHeader(name);
    }

    public JsonObject json() {
      return raw.bodyAsJsonObject();
    }

    public JsonArray array() {
      return raw.bodyAsJsonArray();
    }

    public Object value() {
      Buffer body = raw.body();
      return body == null || body.length() == 0 ? null : Json.decodeValue(body);
    }

    @Override
    public String toString() {
      return status() + " " + (raw.body() == null ? "" : raw.bodyAsString());
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for {@code future} to fail and returns why; a success fails the test. */
  public static Throwable failureOf(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TCP port free on this machine right now (also used by TestKafka). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
