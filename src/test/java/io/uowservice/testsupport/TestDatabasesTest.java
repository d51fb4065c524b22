package io.uowservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.uowservice.embedded.EmbeddedMariaDb;
import io.vertx.mysqlclient.MySQLConnectOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TestDatabases provisions MariaDB/MySQL for the test suite")
class TestDatabasesTest {

  private static final String ENV_URL = System.getenv(TestDatabases.ENV_VAR);

  private Path scratchDataDir;

  @AfterEach
  void deleteScratchDataDir() throws IOException {
    if (scratchDataDir != null && Files.exists(scratchDataDir)) {
      try (Stream<Path> paths = Files.walk(scratchDataDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("server() uses UOW_TEST_MYSQL_URL when set, else the embedded MariaDB when no Docker engine answers")
  void serverResolutionOrder() {
    TestDatabases.Server server = TestDatabases.server();
    if (ENV_URL != null && !ENV_URL.isBlank()) {
      assertThat(server.source()).isEqualTo("env");
    } else if (!TestDatabases.isDockerAvailable()) {
      assertThat(server.source()).isEqualTo("embedded");
      assertThat(server).isEqualTo(TestDatabases.embeddedServer());
    } else {
      assertThat(server.source()).isEqualTo("testcontainers");
    }
  }

  @Test
  @DisplayName("env path: a database created on the UOW_TEST_MYSQL_URL server stores and returns rows, and is dropped on close")
  void envServerRoundTrip() {
    assumeTrue(ENV_URL != null && !ENV_URL.isBlank(), TestDatabases.ENV_VAR + " is not set");
    TestDatabases.Server server = TestDatabases.server();
    assertThat(server.source()).isEqualTo("env");
    assertRoundTripAndDrop(server);
  }

  @Test
  @DisplayName("embedded path: a database created on the embedded MariaDB stores and returns rows over the wire, and is dropped on close")
  void embeddedServerRoundTrip() {
    TestDatabases.Server server = TestDatabases.embeddedServer();
    assertThat(server.source()).isEqualTo("embedded");
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isPositive();
    assertRoundTripAndDrop(server);
  }

  @Test
  @DisplayName("Testcontainers path: a database created on a MySQL container stores and returns rows (needs a Docker engine)")
  void testcontainersRoundTrip() {
    assumeTrue(TestDatabases.isDockerAvailable(), "no Docker engine answers");
    assumeFalse(ENV_URL != null && !ENV_URL.isBlank(), TestDatabases.ENV_VAR + " takes precedence");
    TestDatabases.Server server = TestDatabases.server();
    assertThat(server.source()).isEqualTo("testcontainers");
    assertRoundTripAndDrop(server);
  }

  @Test
  @DisplayName("the Docker check answers fast and never throws")
  void dockerCheckIsCheap() {
    long t0 = System.nanoTime();
    TestDatabases.isDockerAvailable();
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    if (!TestDatabases.isDockerAvailable()) {
      assertThat(elapsedMs).isLessThan(1_000);
    }
  }

  @Test
  @DisplayName("each created database has a fresh uow_test_<8 hex> name")
  void databaseNamesAreUnique() {
    try (TestDatabase a = TestDatabases.createDatabase();
        TestDatabase b = TestDatabases.createDatabase()) {
      assertThat(a.name()).matches("uow_test_[0-9a-f]{8}");
      assertThat(b.name()).matches("uow_test_[0-9a-f]{8}").isNotEqualTo(a.name());
    }
  }

  @Test
  @DisplayName("UOW_TEST_MYSQL_URL accepts mysql://user@host:port, an empty or %-encoded password, and defaults the port to 3306")
  void parsesServerUrls() {
    assertThat(TestDatabases.parseUrl("mysql://root@127.0.0.1:3306"))
        .isEqualTo(new TestDatabases.Server("127.0.0.1", 3306, "root", "", "env"));
    assertThat(TestDatabases.parseUrl("mysql://root:@127.0.0.1:3306"))
        .isEqualTo(new TestDatabases.Server("127.0.0.1", 3306, "root", "", "env"));
    assertThat(TestDatabases.parseUrl("mysql://uow:p%40ss+word@db.example:3307"))
        .isEqualTo(new TestDatabases.Server("db.example", 3307, "uow", "p@ss+word", "env"));
    assertThat(TestDatabases.parseUrl("mysql://root@localhost").port()).isEqualTo(3306);
    assertThatThrownBy(() -> TestDatabases.parseUrl("postgres://root@localhost:5432"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TestDatabases.ENV_VAR);
  }

  @Test
  @DisplayName("an EmbeddedMariaDb restarted on the same data dir still has its data (while another embedded server runs)")
  void embeddedRestartKeepsData() {
    TestDatabases.embeddedServer(); // a second mariadbd in this JVM, on another data dir
    scratchDataDir = newScratchDataDir();

    long t0 = System.nanoTime();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(scratchDataDir, 0, "restart_check")) {
      long firstStartMs = (System.nanoTime() - t0) / 1_000_000;
      MySQLConnectOptions options = options(db).setDatabase("restart_check");
      TestDatabases.query(options, "CREATE TABLE kept (id INT PRIMARY KEY, label VARCHAR(50))");
      TestDatabases.query(options, "INSERT INTO kept VALUES (1, 'survives a restart')");
      System.out.printf("embedded MariaDB: fresh data dir start %d ms%n", firstStartMs);
    }

    t0 = System.nanoTime();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(scratchDataDir, 0, "restart_check")) {
      long restartMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("embedded MariaDB: restart on existing data %d ms%n", restartMs);
      List<List<Object>> rows =
          TestDatabases.query(
              options(db).setDatabase("restart_check"), "SELECT id, label FROM kept");
      assertThat(rows).containsExactly(List.of(1, "survives a restart"));
    }
  }

  @Test
  @DisplayName("EmbeddedMariaDb.close() is idempotent, and start() fails with a clear IllegalStateException when the port is taken")
  void embeddedFailsClearlyOnTakenPort() throws IOException {
    scratchDataDir = newScratchDataDir();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> EmbeddedMariaDb.start(scratchDataDir, taken.getLocalPort(), "x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("failed to start on 127.0.0.1:" + taken.getLocalPort());
    }
    EmbeddedMariaDb db = EmbeddedMariaDb.start(scratchDataDir, 0, "x");
    db.close();
    db.close();
  }

  @Test
  @DisplayName("the embedded MariaDB authenticates: no password or a wrong one is refused, the generated one is kept 0600 beside the data")
  void embeddedRefusesConnectionsWithoutThePassword() throws IOException {
    scratchDataDir = newScratchDataDir();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(scratchDataDir, 0, "grants_check")) {
      Path file = EmbeddedMariaDb.passwordFile(scratchDataDir);
      assertThat(java.nio.file.Files.readString(file).trim()).isEqualTo(db.password());
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(TestDatabases.query(options(db).setDatabase("grants_check"), "SELECT 1")).containsExactly(List.of(1));
      for (MySQLConnectOptions intruder : List.of(
          options(db).setUser("root").setPassword(""),
          options(db).setPassword("guessed"),
          options(db).setUser("anyone").setPassword(""))) {
        assertThatThrownBy(() -> TestDatabases.query(intruder, "SELECT 1"))
            .as(intruder.getUser() + " without the password").hasMessageContaining("Access denied");
      }
    }
    try (EmbeddedMariaDb again = EmbeddedMariaDb.start(scratchDataDir, 0, "grants_check")) {
      assertThat(TestDatabases.query(options(again).setDatabase("grants_check"), "SELECT 1"))
          .as("the kept password works after a restart").containsExactly(List.of(1));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertRoundTripAndDrop(TestDatabases.Server server) {
    String name;
    try (TestDatabase database = TestDatabases.createDatabase(server)) {
      name = database.name();
      MySQLConnectOptions options = database.connectOptions();
      String countTables =
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()";
      assertThat(TestDatabases.query(options, countTables))
          .containsExactly(List.of(0L));
      TestDatabases.query(
          options, "CREATE TABLE probe (id BIGINT PRIMARY KEY, payload VARCHAR(100) NOT NULL)");
      TestDatabases.query(options, "INSERT INTO probe VALUES (1, 'één'), (2, '🙂')");
      assertThat(TestDatabases.query(options, "SELECT id, payload FROM probe ORDER BY id"))
          .containsExactly(List.of(1L, "één"), List.of(2L, "🙂"));
    }
    assertThat(TestDatabases.query(server.connectOptions(), "SHOW DATABASES LIKE '" + name + "'"))
        .isEmpty();
  }

  private static MySQLConnectOptions options(EmbeddedMariaDb db) {
    return new MySQLConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setUser(db.username())
        .setPassword(db.password());
  }

  private static Path newScratchDataDir() {
    String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    return Path.of("target", "test-mariadb", "scratch-" + suffix);
  }
}
