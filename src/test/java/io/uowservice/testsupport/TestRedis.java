package io.uowservice.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import redis.embedded.RedisServer;

/**
 * How the test suite gets a real Redis, in the same order as {@link TestDatabases}:
 *
 * <ol>
 *   <li>the server named by the environment variable {@value #ENV_VAR} ({@code
 *       redis://host:port}), as {@code .ci/run} sets it;
 *   <li>a Testcontainers {@code redis:7}, when a Docker engine answers;
 *   <li>an embedded Redis (a real redis-server binary bundled by embedded-redis) on a free port of
 *       127.0.0.1, started once per test JVM and stopped when it exits.
 * </ol>
 *
 * Tests share the server, so each takes a key prefix of its own ({@link #uniqueKeyPrefix()}):
 * reruns and parallel builds never see each other's counters.
 */
public final class TestRedis {

  public static final String ENV_VAR = "UOW_TEST_REDIS_URL";

  private static final Logger LOG = LoggerFactory.getLogger(TestRedis.class);

  /** A Redis the tests may use; {@code source} is "env", "testcontainers" or "embedded". */
  public record Server(String url, String source) {
  }

  private static Server server;
  private static Server embedded;

  private TestRedis() {
  }

  /** The Redis for this test JVM, resolved once, in the order described on the class. */
  public static synchronized Server server() {
    if (server == null) {
      String url = System.getenv(ENV_VAR);
      if (url != null && !url.isBlank()) {
        server = new Server(url.trim(), "env");
      } else if (TestDatabases.isDockerAvailable()) {
        server = startContainer();
      } else {
        server = embeddedServer();
      }
      LOG.info("Tests use Redis {} ({})", server.url(), server.source());
    }
    return server;
  }

  /** The embedded Redis of this test JVM (started on first call), whatever server() is. */
  public static synchronized Server embeddedServer() {
    if (embedded == null) {
      int port = freePort();
      try {
        RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
            .setting("save \"\"").setting("appendonly no").onShutdownForceStop(true).build();
        redis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            redis.stop();
          } catch (IOException e) {
            // the JVM is exiting; the force-stop hook of embedded-redis kills it anyway
          }
        }, "test-redis-stop"));
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the embedded Redis on 127.0.0.1:" + port, e);
      }
      embedded = new Server("redis://127.0.0.1:" + port, "embedded");
    }
    return embedded;
  }

  /** {@code uow-test:<8 hex>:}, a key space of one's own on the shared server. */
  public static String uniqueKeyPrefix() {
    return "uow-test:" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ":";
  }

  /** A URL where nothing listens: a port just found free on 127.0.0.1. */
  public static String closedUrl() {
    return "redis://127.0.0.1:" + freePort();
  }

  private static Server startContainer() {
    @SuppressWarnings("resource") // stopped by the shutdown hook
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7")).withExposedPorts(6379);
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-redis-container-stop"));
    return new Server("redis://" + container.getHost() + ":" + container.getMappedPort(6379), "testcontainers");
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
