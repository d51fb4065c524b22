package io.uowservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigException;
import io.uowservice.config.ConfigLoader;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@DisplayName("Cluster settings: off by default, TCP-IP members only, and the two-node compose file is sound")
class ClusterSettingsTest {

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    ServiceHarness.await(vertx.close());
  }

  private static AppConfig.Cluster load(Map<String, String> env) {
    return ServiceHarness.await(ConfigLoader.load(vertx, null, env)).cluster();
  }

  @Test
  void aNodeIsOnItsOwnUnlessTold() {
    AppConfig.Cluster cluster = load(Map.of());
    assertThat(cluster.enabled()).isFalse();
    assertThat(cluster.port()).isEqualTo(5701);
    assertThat(cluster.members()).isEmpty();
    assertThat(cluster.nodeTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void environmentVariablesSetEveryKey() {
    AppConfig.Cluster cluster = load(Map.of("UOW_CLUSTER__ENABLED", "true", "UOW_CLUSTER__NAME", "shop-eu",
        "UOW_CLUSTER__HOST", "10.0.0.7", "UOW_CLUSTER__PORT", "5801", "UOW_CLUSTER__MEMBERS", "10.0.0.7, 10.0.0.8:5802",
        "UOW_CLUSTER__EVENT_BUS_PORT", "5901", "UOW_CLUSTER__NODE_TIMEOUT", "4s"));
    assertThat(cluster).isEqualTo(new AppConfig.Cluster(true, "shop-eu", "10.0.0.7", 5801,
        List.of("10.0.0.7", "10.0.0.8:5802"), 5901, Duration.ofSeconds(4)));
  }

  @Test
  void badValuesStopTheStartNamingTheKey() {
    assertThatThrownBy(() -> load(Map.of("UOW_CLUSTER__NAME", "a name with spaces"))).rootCause()
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.name");
    assertThatThrownBy(() -> load(Map.of("UOW_CLUSTER__MEMBERS", "10.0.0.7;rm -rf"))).rootCause()
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members");
    assertThatThrownBy(() -> load(Map.of("UOW_CLUSTER__PORT", "70000"))).rootCause()
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.port");
  }

  @Test
  void hazelcastJoinsOnlyTheListedMembersNeverByMulticastOrAutoDetection() {
    Config config = Clustering.hazelcast(new AppConfig.Cluster(true, "shop-eu", "10.0.0.7", 5801,
        List.of("10.0.0.8", "10.0.0.9:5900"), 0, Duration.ofSeconds(4)));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.8:5801", "10.0.0.9:5900", "10.0.0.7:5801");
    assertThat(config.getClusterName()).isEqualTo("shop-eu");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("4");
    // what Vert.x needs of Hazelcast is still there
    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theTwoNodeComposeFileMakesTwoMembersThatListEachOther() throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker", "docker-compose.cluster.yml")));
    Map<String, Object> services = (Map<String, Object>) compose.get("services");
    List<String> nodes = List.of("node1", "node2");
    for (String name : nodes) {
      Map<String, Object> node = (Map<String, Object>) services.get(name);
      assertThat(node.get("hostname")).isEqualTo(name);
      assertThat(node).containsKey("build");
      Map<String, String> env = new HashMap<>();
      ((Map<String, Object>) node.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
      assertThat(env.get("UOW_DATABASE__MYSQL__HOST")).isEqualTo("mariadb");
      AppConfig.Cluster cluster = load(env);
      assertThat(cluster.enabled()).isTrue();
      assertThat(cluster.host()).isEqualTo(name);
      assertThat(cluster.eventBusPort()).as("a fixed port a firewall can open").isPositive();
      assertThat(cluster.members()).containsExactlyInAnyOrder("node1:" + cluster.port(), "node2:" + cluster.port());
    }
    assertThat(services).containsKey("mariadb");
  }
}
