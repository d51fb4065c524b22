package io.uowservice.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** Drains mariadbd's console into SLF4J, keeps its last lines, and signals readiness. */
final class ServerConsole implements Runnable {
  final CountDownLatch ready = new CountDownLatch(1);
  final Thread reader;
  private final Process process;
  private final Deque<String> lines = new ArrayDeque<>();

  ServerConsole(Process process, int port) {
    this.process = process;
    this.reader = new Thread(this, "mariadbd-" + port + "-console");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public void run() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.contains("[ERROR]")) {
          EmbeddedMariaDb.SERVER_LOG.warn(line); // the exception thrown on failure carries these lines too
        } else if (line.contains("[Warning]")) {
          EmbeddedMariaDb.SERVER_LOG.info(line);
        } else {
          EmbeddedMariaDb.SERVER_LOG.debug(line);
        }
        synchronized (lines) {
          lines.addLast(line);
          if (lines.size() > EmbeddedMariaDb.CONSOLE_LINES_KEPT) {
            lines.removeFirst();
          }
        }
        if (line.contains(EmbeddedMariaDb.READY)) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** The [ERROR] lines seen last, or the last lines if there are none. */
  String errors() {
    synchronized (lines) {
      String errors =
          lines.stream().filter(l -> l.contains("[ERROR]")).collect(Collectors.joining(" | "));
      return errors.isEmpty() ? tail() : errors;
    }
  }

  String tail() {
    synchronized (lines) {
      return lines.stream()
          .skip(Math.max(0, lines.size() - 10))
          .collect(Collectors.joining(" | "));
    }
  }
}
