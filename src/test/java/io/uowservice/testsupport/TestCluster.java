package io.uowservice.testsupport;

import io.uowservice.cluster.Clustering;
import io.uowservice.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Several nodes of the service in this JVM, each on a clustered Vert.x instance of its own (a
 * Hazelcast member on 127.0.0.1 with its own port, all members listed, a cluster name of the test
 * alone), all against one fresh database.
 */
public final class TestCluster implements AutoCloseable {

  /** One node: its Vert.x instance and the service on it. */
  public record Member(Vertx vertx, ServiceHarness service, int clusterPort) {
  }

  private final TestDatabase database;
  private final List<Member> members = new ArrayList<>();
  private final String name = "uow-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Integer> ports = new ArrayList<>();

  private TestCluster(TestDatabase database) {
    this.database = database;
  }

  /** {@code nodes} members with the same {@code overrides} (UOW_* variables). */
  public static TestCluster start(int nodes, Map<String, String> overrides) {
    TestCluster cluster = new TestCluster(TestDatabases.createDatabase());
    try {
      for (int i = 0; i < nodes; i++) {
        cluster.ports.add(ServiceHarness.freePort());
      }
      for (int i = 0; i < nodes; i++) {
        cluster.add(cluster.ports.get(i), overrides);
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public Member node(int i) {
    return members.get(i);
  }

  public ServiceHarness service(int i) {
    return members.get(i).service();
  }

  public TestDatabase database() {
    return database;
  }

  public String name() {
    return name;
  }

  /** host:port of every member the cluster was started with. */
  public List<String> memberList() {
    return ports.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  /** The UOW_* variables that make a process a member of this cluster on {@code port}. */
  public Map<String, String> clusterEnvironment(int port) {
    Map<String, String> env = new HashMap<>();
    env.put("UOW_CLUSTER__ENABLED", "true");
    env.put("UOW_CLUSTER__NAME", name);
    env.put("UOW_CLUSTER__HOST", "127.0.0.1");
    env.put("UOW_CLUSTER__PORT", String.valueOf(port));
    env.put("UOW_CLUSTER__MEMBERS", String.join(",", memberList()));
    env.put("UOW_CLUSTER__NODE_TIMEOUT", "5s");
    return env;
  }

  /** A further member on a port of its own (listed in {@link #memberList()} from then on). */
  public int reservePort() {
    int port = ServiceHarness.freePort();
    ports.add(port);
    return port;
  }

  private void add(int port, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(clusterEnvironment(port));
    env.putAll(overrides);
    AppConfig.Cluster settings = new AppConfig.Cluster(true, name, "127.0.0.1", port, memberList(), 0,
        Duration.ofSeconds(5));
    Vertx vertx = ServiceHarness.await(Clustering.start(Vertx.builder(), new VertxOptions(), settings));
    try {
      members.add(new Member(vertx, ServiceHarness.startNode(vertx, database, env), port));
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /** Stops node {@code i} as a clean shutdown does: it leaves the cluster, its units go with it. */
  public void stop(int i) {
    Member m = members.get(i);
    try {
      m.service().close();
    } finally {
      ServiceHarness.await(m.vertx().close());
    }
  }

  @Override
  public void close() {
    try {
      for (Member m : members) {
        try {
          ServiceHarness.await(m.vertx().close());
        } catch (RuntimeException ignored) {
          // already stopped by the test
        }
      }
    } finally {
      database.close();
    }
  }
}
