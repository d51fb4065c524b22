package io.uowservice.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * How the test suite gets a real Kafka broker (KRaft), in this order:
 *
 * <ol>
 *   <li>the broker named by the environment variable {@value #ENV_VAR} ({@code host:port}); it
 *       cannot be stopped by the tests, so outage tests are skipped against it;
 *   <li>Testcontainers' Kafka, when a Docker engine answers ("stopped" by pausing the container,
 *       which keeps its mapped port);
 *   <li>a broker this JVM starts itself: {@code kafka.Kafka} in a child JVM, from the jars the
 *       build copied into {@code target/kafka-broker/lib} (see {@code .ci/kafka/pom.xml}), so the
 *       broker's classpath never meets the service's Kafka client. It is stopped and started on
 *       the same port and log dir, and killed when the test JVM exits.
 * </ol>
 */
public final class TestKafka {

  public static final String ENV_VAR = "UOW_TEST_KAFKA_BOOTSTRAP";

  private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
  private static final Path LIB = Path.of("target", "kafka-broker", "lib");
  private static final String KAFKA_IMAGE = "apache/kafka:4.0.0";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** A running broker. */
  public interface Broker {
    String bootstrapServers();

    /** Whether {@link #stop()} and {@link #start()} work (not for a broker named by the environment). */
    boolean canStop();

    /** Makes the broker unreachable until {@link #start()}; its data stays. */
    void stop();

    /** Brings a stopped broker back on the same address, with its data. */
    void start();
  }

  private static Broker broker;

  private TestKafka() {
  }

  /** The broker of this test JVM, resolved once, in the order described on the class. */
  public static synchronized Broker broker() {
    if (broker == null) {
      String env = System.getenv(ENV_VAR);
      if (env != null && !env.isBlank()) {
        broker = new Named(env.trim());
      } else if (TestDatabases.isDockerAvailable()) {
        broker = new Container();
      } else {
        broker = ChildJvm.launch();
      }
      LOG.info("Tests use the Kafka broker at {} ({})", broker.bootstrapServers(), broker.getClass().getSimpleName());
    }
    return broker;
  }

  /** Creates a topic of {@code partitions} partitions (replication 1) on the test broker. */
  public static void createTopic(String topic, int partitions) {
    createTopic(topic, partitions, Map.of());
  }

  /** As {@link #createTopic(String, int)}, with topic configs (e.g. {@code max.message.bytes}). */
  public static void createTopic(String topic, int partitions, Map<String, String> configs) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  private record Named(String bootstrapServers) implements Broker {
    @Override
    public boolean canStop() {
      return false;
    }

    @Override
    public void stop() {
      throw new UnsupportedOperationException("the broker named by " + ENV_VAR + " is not ours to stop");
    }

    @Override
    public void start() {
      throw new UnsupportedOperationException("the broker named by " + ENV_VAR + " is not ours to start");
    }
  }

  private static final class Container implements Broker {
    private final KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);

    Container() {
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-kafka-container-stop"));
    }

    @Override
    public String bootstrapServers() {
      return container.getBootstrapServers();
    }

    @Override
    public boolean canStop() {
      return true;
    }

    @Override
    public void stop() {
      DockerClientFactory.instance().client().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void start() {
      DockerClientFactory.instance().client().unpauseContainerCmd(container.getContainerId()).exec();
    }
  }

  /** {@code kafka.Kafka} (broker and controller in one process) in a child JVM. */
  private static final class ChildJvm implements Broker {
    private final Path dir;
    private final int port;
    private Process process;

    private ChildJvm(Path dir, int port) {
      this.dir = dir;
      this.port = port;
    }

    static ChildJvm launch() {
      if (!Files.isDirectory(LIB)) {
        throw new IllegalStateException(LIB + " is missing: run the tests through Maven (mvn verify copies the "
            + "broker's jars there), or set " + ENV_VAR + " to a running broker");
      }
      try {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-kafka")), "broker-");
        int port = ServiceHarness.freePort();
        int controllerPort = ServiceHarness.freePort();
        String properties = String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + dir.resolve("data").toAbsolutePath(),
            // one broker: internal topics must not ask for more replicas, or consumer groups never work
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "num.partitions=3",
            "");
        Files.writeString(dir.resolve("server.properties"), properties);
        ChildJvm jvm = new ChildJvm(dir, port);
        jvm.run(List.of("kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
            "-c", dir.resolve("server.properties").toString()), dir.resolve("format.log")).waitFor(60, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(jvm::kill, "test-kafka-broker-kill"));
        jvm.start();
        return jvm;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start a Kafka broker", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String bootstrapServers() {
      return "127.0.0.1:" + port;
    }

    @Override
    public boolean canStop() {
      return true;
    }

    @Override
    public synchronized void start() {
      if (process != null && process.isAlive()) {
        return;
      }
      Path log = dir.resolve("broker.log");
      long from = sizeOf(log);
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      process = run(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "kafka.Kafka",
          dir.resolve("server.properties").toString()), log);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + ", see " + log);
        }
        if (logSince(log, from).contains("Kafka Server started") && answers()) {
          return;
        }
        sleep(100);
      }
      kill();
      throw new IllegalStateException("the Kafka broker did not start within " + START_TIMEOUT + ", see " + log);
    }

    /** A clean shutdown (SIGTERM), so the restart finds its logs intact; forced after 30 s. */
    @Override
    public synchronized void stop() {
      if (process == null) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }

    void kill() {
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
      }
    }

    private Process run(List<String> args, Path log) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-cp");
      command.add(LIB.toAbsolutePath() + "/*");
      command.addAll(args);
      try {
        return new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot run " + command, e);
      }
    }

    private boolean answers() {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private static long sizeOf(Path file) {
      try {
        return Files.exists(file) ? Files.size(file) : 0;
      } catch (IOException e) {
        return 0;
      }
    }

    private static String logSince(Path file, long offset) {
      try {
        byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
