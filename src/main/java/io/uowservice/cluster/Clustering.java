package io.uowservice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the Vert.x instance of a node: on its own (no cluster manager at all), or clustered on
 * Hazelcast with a fixed TCP-IP member list, so that a node joins only the cluster it is told to —
 * never one it found by multicast or by a cloud's auto-detection.
 */
public final class Clustering {

  private Clustering() {
  }

  /** {@code builder} carries the node's options and metrics; {@code cluster.enabled} decides the rest. */
  public static Future<Vertx> start(VertxBuilder builder, VertxOptions options, AppConfig.Cluster cluster) {
    if (!cluster.enabled()) {
      return Future.succeededFuture(builder.with(options).build());
    }
    options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.eventBusPort());
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast(cluster))).buildClustered();
  }

  /** The Hazelcast configuration of a node: Vert.x's maps, plus the cluster's name, address and members. */
  static Config hazelcast(AppConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false).setPublicAddress(cluster.host() + ":" + cluster.port());
    network.getInterfaces().setEnabled(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members(cluster)).setConnectionTimeoutSeconds(2);
    long silence = Math.max(2, cluster.nodeTimeout().toSeconds());
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(silence));
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster on close; Hazelcast's own hook would race it on SIGTERM
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // a first node need not wait 5 s for members that are not there yet
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.socket.bind.any", "false");
    return config;
  }

  private static List<String> members(AppConfig.Cluster cluster) {
    List<String> members = new ArrayList<>();
    for (String member : cluster.members()) {
      boolean hasPort = member.matches(".*:\\d+") && !member.endsWith("]");
      members.add(hasPort ? member : member + ":" + cluster.port());
    }
    String self = cluster.host() + ":" + cluster.port();
    if (!members.contains(self)) {
      members.add(self);
    }
    return members;
  }
}
