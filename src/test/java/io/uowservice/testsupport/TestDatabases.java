package io.uowservice.testsupport;

import io.uowservice.embedded.EmbeddedMariaDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * How the test suite gets a MariaDB/MySQL server, in this order:
 *
 * <ol>
 *   <li>the server named by the environment variable {@value #ENV_VAR} ({@code
 *       mysql://user:password@host:port}, the password may be empty), as {@code .ci/run} sets it;
 *   <li>a Testcontainers MySQL, when a Docker engine answers;
 *   <li>an {@link EmbeddedMariaDb} started once per test JVM (data under {@code
 *       target/test-mariadb}), stopped when the JVM exits.
 * </ol>
 *
 * Tests then take a database of their own with {@link #createDatabase()} and drop it with {@link
 * TestDatabase#close()}.
 */
public final class TestDatabases {

  public static final String ENV_VAR = "UOW_TEST_MYSQL_URL";

  private static final Logger LOG = LoggerFactory.getLogger(TestDatabases.class);
  private static final String MYSQL_IMAGE = "mysql:8.4";
  private static final Path EMBEDDED_ROOT = Path.of("target", "test-mariadb");
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DOCKER_CHECK_TIMEOUT = Duration.ofSeconds(15);

  /**
   * A server the tests may create databases on; {@code source} is "env", "testcontainers" or
   * "embedded".
   */
  public record Server(String host, int port, String username, String password, String source) {

    /** Connect options for this server, no database selected (a new, mutable object each call). */
    public MySQLConnectOptions connectOptions() {
      return new MySQLConnectOptions()
          .setHost(host)
          .setPort(port)
          .setUser(username)
          .setPassword(password);
    }

    @Override
    public String toString() { // keeps the password out of test logs
      return "Server[" + source + " " + username + "@" + host + ":" + port + "]";
    }
  }

  private static Server server;
  private static Server embedded;
  private static Boolean dockerAvailable;
  private static FileLock embeddedSlotLock;

  private TestDatabases() {}

  /** The server for this test JVM, resolved once, in the order described on the class. */
  public static synchronized Server server() {
    if (server == null) {
      String url = System.getenv(ENV_VAR);
      if (url != null && !url.isBlank()) {
        server = parseUrl(url.trim());
      } else if (isDockerAvailable()) {
        server = startContainer();
      } else {
        server = embeddedServer();
      }
      LOG.info("Tests use MariaDB/MySQL server {}", server);
    }
    return server;
  }

  /** The embedded MariaDB of this test JVM (started on first call), whatever server() is. */
  public static synchronized Server embeddedServer() {
    if (embedded == null) {
      // stopped at JVM exit by the shutdown hook EmbeddedMariaDb registers
      EmbeddedMariaDb db = EmbeddedMariaDb.start(claimEmbeddedDataDir(), 0, "test");
      embedded = new Server(db.host(), db.port(), db.username(), db.password(), "embedded");
    }
    return embedded;
  }

  /**
   * {@code target/test-mariadb/data-<n>} for the first slot {@code n} no other test JVM holds (the
   * lock lasts as long as this JVM), so parallel forks or builds never share a data dir, while
   * successive runs reuse it (a restart is faster than a fresh install).
   */
  private static Path claimEmbeddedDataDir() {
    try {
      Files.createDirectories(EMBEDDED_ROOT);
      for (int slot = 0; slot < 16; slot++) {
        FileChannel channel =
            FileChannel.open(
                EMBEDDED_ROOT.resolve("data-" + slot + ".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock != null) {
          embeddedSlotLock = lock; // held (and referenced) until the JVM exits
          return EMBEDDED_ROOT.resolve("data-" + slot);
        }
        channel.close();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot claim a data dir under " + EMBEDDED_ROOT, e);
    }
    throw new IllegalStateException(
        "all 16 embedded MariaDB data dirs under " + EMBEDDED_ROOT + " are in use");
  }

  /** Creates a fresh, uniquely named empty database on {@link #server()}; blocking. */
  public static TestDatabase createDatabase() {
    return createDatabase(server());
  }

  /** Creates a fresh, uniquely named empty database ({@code uow_test_<8 hex>}) on a server. */
  public static TestDatabase createDatabase(Server server) {
    String name = "uow_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    execute(server, "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
    return new TestDatabase(server, name);
  }

  /**
   * Runs {@code sql} on {@code options} (blocking, for test code on a non-event-loop thread) and
   * returns the rows, each as a list of column values.
   */
  public static List<List<Object>> query(MySQLConnectOptions options, String sql) {
    return withConnection(
        options,
        connection ->
            connection
                .query(sql)
                .execute()
                .map(
                    rows -> {
                      List<List<Object>> result = new ArrayList<>();
                      for (Row row : rows) {
                        List<Object> values = new ArrayList<>();
                        for (int i = 0; i < row.size(); i++) {
                          values.add(row.getValue(i));
                        }
                        result.add(values);
                      }
                      return result;
                    }));
  }

  static void dropDatabase(TestDatabase database) {
    try {
      execute(database.server(), "DROP DATABASE IF EXISTS `" + database.name() + "`");
    } catch (RuntimeException e) {
      LOG.warn(
          "could not drop test database {} on {}: {}",
          database.name(),
          database.server(),
          e.toString());
    }
  }

  private static void execute(Server server, String sql) {
    withConnection(
        server.connectOptions(),
        connection -> connection.query(sql).execute().map((RowSet<Row> rows) -> null));
  }

  /** Opens one connection from a short-lived Vert.x instance, applies {@code work}, closes all. */
  private static <T> T withConnection(
      MySQLConnectOptions options, Function<MySQLConnection, Future<T>> work) {
    Vertx vertx = Vertx.vertx();
    try {
      Future<T> result =
          MySQLConnection.connect(vertx, options)
              .compose(connection -> work.apply(connection).eventually(connection::close));
      return await(result);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "SQL on " + options.getHost() + ":" + options.getPort() + " failed: " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "SQL on " + options.getHost() + ":" + options.getPort() + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      try {
        await(vertx.close());
      } catch (Exception e) {
        LOG.debug("closing Vert.x: {}", e.toString());
      }
    }
  }

  private static <T> T await(Future<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(STATEMENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Parses {@code mysql://user[:password]@host[:port]} (user and password may be %-encoded). */
  static Server parseUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw new IllegalStateException(ENV_VAR + " is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme();
    if (!("mysql".equalsIgnoreCase(scheme) || "mariadb".equalsIgnoreCase(scheme))
        || uri.getHost() == null
        || uri.getRawUserInfo() == null) {
      throw new IllegalStateException(
          ENV_VAR + " must look like mysql://user:password@host:port (password may be empty)");
    }
    String userInfo = uri.getRawUserInfo();
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    int port = uri.getPort() < 0 ? 3306 : uri.getPort();
    return new Server(uri.getHost(), port, user, password, "env");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Whether a Docker engine answers. Without a hint of one (DOCKER_HOST, a docker.sock, a
   * ~/.testcontainers.properties) this does not touch Testcontainers at all, so it costs
   * nothing on machines without Docker; otherwise it asks Testcontainers, bounded in time.
   * Never throws.
   */
  static synchronized boolean isDockerAvailable() {
    if (dockerAvailable == null) {
      dockerAvailable = checkDocker();
    }
    return dockerAvailable;
  }

  private static boolean checkDocker() {
    try {
      String home = System.getProperty("user.home", "");
      String xdgRuntime = System.getenv("XDG_RUNTIME_DIR");
      boolean hint =
          System.getenv("DOCKER_HOST") != null
              || Files.exists(Path.of("/var/run/docker.sock"))
              || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
              || Files.exists(Path.of(home, ".docker", "desktop", "docker.sock"))
              || Files.exists(Path.of(home, ".testcontainers.properties"))
              || (xdgRuntime != null && Files.exists(Path.of(xdgRuntime, "docker.sock")));
      if (!hint) {
        return false;
      }
      CompletableFuture<Boolean> available = new CompletableFuture<>();
      Thread probe =
          new Thread(
              () -> {
                try {
                  available.complete(DockerClientFactory.instance().isDockerAvailable());
                } catch (Throwable e) {
                  available.complete(false);
                }
              },
              "docker-probe");
      probe.setDaemon(true);
      probe.start();
      return available.get(DOCKER_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Throwable e) {
      LOG.debug("no Docker: {}", e.toString());
      return false;
    }
  }

  private static Server startContainer() {
    MySqlContainer container =
        new MySqlContainer(DockerImageName.parse(MYSQL_IMAGE))
            .withUsername("root")
            .withPassword("test")
            .waitingFor(
                Wait.forLogMessage("(?s).*ready for connections.*port: 3306.*", 1)
                    .withStartupTimeout(Duration.ofMinutes(3)));
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-mysql-container-stop"));
    return new Server(
        container.getHost(),
        container.getMappedPort(MySQLContainer.MYSQL_PORT),
        container.getUsername(),
        container.getPassword(),
        "testcontainers");
  }

  /**
   * Testcontainers' MySQL, waiting for the server's own "ready for connections" log line instead
   * of a JDBC connection, so that no JDBC driver is needed on the test classpath.
   */
  private static final class MySqlContainer extends MySQLContainer<MySqlContainer> {
    MySqlContainer(DockerImageName image) {
      super(image);
    }

    @Override
    protected void waitUntilContainerStarted() {
      getWaitStrategy().waitUntilReady(this);
    }
  }
}
