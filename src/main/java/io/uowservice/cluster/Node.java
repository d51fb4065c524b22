package io.uowservice.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.Locale;
import java.util.UUID;

/**
 * This node as the rest of the service sees it: a short tag that begins the id of every unit the
 * node creates (and names the actors' addresses), and whether the node that minted a tag is still
 * a member. Clustered, the tag is the start of the cluster manager's node id, so liveness is the
 * cluster's membership; on its own, a node is the only member and gets a fresh tag per start.
 */
public final class Node {

  /** A tag: 8 lower-case hex digits. */
  public static final int TAG_LENGTH = 8;
  private static final String SHARED = "uow.node";

  private Node() {
  }

  public static String tag(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    if (manager != null) {
      return tagOf(manager.getNodeId());
    }
    LocalMap<String, String> map = vertx.sharedData().getLocalMap(SHARED);
    return map.computeIfAbsent("tag", k -> tagOf(UUID.randomUUID().toString()));
  }

  /** The node's full id: the cluster manager's, or the tag on its own. */
  public static String id(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager != null ? manager.getNodeId() : tag(vertx);
  }

  public static boolean isClustered(Vertx vertx) {
    return clusterManager(vertx) != null;
  }

  /** Whether the node that minted {@code tag} is a member now (this node always is). */
  public static boolean isMember(Vertx vertx, String tag) {
    if (tag.equals(tag(vertx))) {
      return true;
    }
    ClusterManager manager = clusterManager(vertx);
    if (manager == null) {
      return false;
    }
    for (String node : manager.getNodes()) {
      if (tagOf(node).equals(tag)) {
        return true;
      }
    }
    return false;
  }

  /** The members this node sees, itself included (1 on its own). */
  public static int memberCount(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager == null ? 1 : manager.getNodes().size();
  }

  /** How many members carry this node's tag (1 unless two node ids share their first 8 hex digits). */
  public static int membersWithMyTag(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    if (manager == null) {
      return 1;
    }
    String mine = tag(vertx);
    return (int) manager.getNodes().stream().filter(node -> tagOf(node).equals(mine)).count();
  }

  static String tagOf(String nodeId) {
    String hex = nodeId.replace("-", "").toLowerCase(Locale.ROOT);
    return hex.length() >= TAG_LENGTH && hex.substring(0, TAG_LENGTH).matches("[0-9a-f]{8}")
        ? hex.substring(0, TAG_LENGTH)
        : String.format("%08x", nodeId.hashCode());
  }

  private static ClusterManager clusterManager(Vertx vertx) {
    return vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
  }
}
