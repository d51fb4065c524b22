package io.uowservice;

import io.uowservice.cluster.Clustering;
import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigException;
import io.uowservice.config.ConfigLoader;
import io.uowservice.embedded.EmbeddedMariaDb;
import io.uowservice.metrics.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar unit-of-work-service.jar [--config FILE]}: loads the configuration, starts the
 * embedded MariaDB when configured, deploys the service, and shuts down gracefully on SIGTERM/SIGINT
 * (exit status 0).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = "usage: java -jar unit-of-work-service.jar [--config FILE]\n"
      + "       java -jar unit-of-work-service.jar token --sub SUBJECT [--roles reader,writer,admin] [--ttl 1h]";

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && "token".equals(args[0])) {
      // the token goes to stdout alone, so that TOKEN=$(java -jar ... token ...) works
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
      int status = io.uowservice.security.TokenCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
          System.getenv(), System.out, System.err);
      System.exit(status);
    }
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config", "-c" -> {
          if (i + 1 >= args.length) {
            fail(2, "--config needs a file name\n" + USAGE);
          }
          configFile = Path.of(args[++i]);
        }
        case "--help", "-h" -> {
          System.out.println(USAGE);
          return;
        }
        default -> {
          if (args[i].startsWith("--config=")) {
            configFile = Path.of(args[i].substring("--config=".length()));
          } else {
            fail(2, "unknown argument " + args[i] + "\n" + USAGE);
          }
        }
      }
    }
    new Main().run(configFile);
  }

  private void run(Path configFile) {
    long started = System.nanoTime();
    AppConfig loaded;
    try {
      loaded = loadConfig(configFile);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println("start-up failed: " + e.getMessage());
      System.exit(1);
      return;
    }
    Vertx vertx;
    try {
      // Vert.x's own metrics (HTTP server, event bus, SQL pool) into the registry /metrics serves
      vertx = await(Clustering.start(Vertx.builder().withMetrics(new MicrometerMetricsFactory(Telemetry.registry())),
          new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
              .setJvmMetricsEnabled(true)), loaded.cluster()));
    } catch (RuntimeException e) {
      LOG.error("could not join the cluster: {}", e.getMessage(), e);
      System.err.println("start-up failed: could not join the cluster: " + e.getMessage());
      System.exit(1);
      return;
    }
    EmbeddedMariaDb[] embedded = new EmbeddedMariaDb[1];
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      LOG.info("shutting down");
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("Vert.x did not close cleanly: {}", e.toString());
      }
      if (embedded[0] != null) {
        embedded[0].close();
      }
      LOG.info("stopped");
    };
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), s -> new Thread(() -> {
        shutdown.run();
        System.exit(0);
      }, "shutdown").start());
    }
    try {
      AppConfig config = loaded;
      if (config.mysql().embedded()) {
        LOG.info("starting the embedded MariaDB under {}", config.mysql().dataDir().toAbsolutePath());
        embedded[0] = EmbeddedMariaDb.start(config.mysql().dataDir(), config.mysql().embeddedPort(),
            config.mysql().database());
        config = pointedAt(config, embedded[0]);
      }
      await(Application.deploy(vertx, config));
      String host = "0.0.0.0".equals(config.http().host()) ? "localhost" : config.http().host();
      LOG.info("Unit of Work service ready at http://{}:{}/ (started in {} ms)", host, config.http().port(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      shutdown.run();
      System.exit(2);
    } catch (RuntimeException e) {
      LOG.error("start-up failed: {}", e.getMessage(), e);
      System.err.println("start-up failed: " + e.getMessage());
      shutdown.run();
      System.exit(1);
    }
  }

  /** The configuration, read with a Vert.x instance of its own: the node's may be clustered, per the configuration. */
  private static AppConfig loadConfig(Path configFile) {
    Vertx bootstrap = Vertx.vertx();
    try {
      return await(ConfigLoader.load(bootstrap, configFile, System.getenv()));
    } finally {
      bootstrap.close();
    }
  }

  private static AppConfig pointedAt(AppConfig config, EmbeddedMariaDb db) {
    JsonObject source = config.source();
    source.getJsonObject("database").getJsonObject("mysql")
        .put("host", db.host()).put("port", db.port()).put("username", db.username()).put("password", db.password());
    return AppConfig.from(source);
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out", e);
    }
  }

  private static void fail(int status, String message) {
    System.err.println(message);
    System.exit(status);
  }
}
