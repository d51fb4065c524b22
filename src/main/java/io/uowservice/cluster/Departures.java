package io.uowservice.cluster;

import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells a caller waiting on another node when that node leaves the cluster. The event bus does
 * not: a request sent to a node that is then killed waits for its reply until the send timeout.
 * With this, a call to a unit on a dead node ends as soon as the cluster has dropped the node.
 */
public final class Departures implements Shareable {

  /** One wait on one node: {@link #left()} completes (on the watcher's context) if the node leaves first. */
  public final class Watch {
    private final String tag;
    private final Context context;
    private final Promise<Void> left = Promise.promise();

    private Watch(String tag, Context context) {
      this.tag = tag;
      this.context = context;
    }

    public Future<Void> left() {
      return left.future();
    }

    /** The wait is over: the watch is dropped. */
    public void cancel() {
      Set<Watch> of = watches.get(tag);
      if (of != null) {
        of.remove(this);
      }
    }

    private void fire() {
      context.runOnContext(v -> left.tryComplete());
    }
  }

  private static final String SHARED = "uow.node.departures";
  private static final String VERTX_NODE_ID = "__vertx.nodeId";
  private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();
  private final Vertx vertx;

  private Departures(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The departures of {@code vertx}'s cluster (one listener per Vert.x instance). */
  public static Departures of(Vertx vertx) {
    return (Departures) vertx.sharedData().getLocalMap(SHARED).computeIfAbsent("departures", k -> {
      Departures departures = new Departures(vertx);
      if (vertx instanceof VertxInternal internal && internal.clusterManager() instanceof HazelcastClusterManager hz) {
        hz.getHazelcastInstance().getCluster().addMembershipListener(new MembershipAdapter() {
          @Override
          public void memberRemoved(MembershipEvent event) {
            // Vert.x's node id is a member attribute of its own, not the Hazelcast member's uuid
            String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
            departures.left(Node.tagOf(nodeId != null ? nodeId : event.getMember().getUuid().toString()));
          }
        });
      }
      return departures;
    });
  }

  /** Watches node {@code tag}, from the caller's context; a node that is no member already has left. */
  public Watch watch(String tag) {
    Watch watch = new Watch(tag, vertx.getOrCreateContext());
    watches.computeIfAbsent(tag, k -> ConcurrentHashMap.newKeySet()).add(watch);
    if (!Node.isMember(vertx, tag)) {
      watch.cancel();
      watch.fire();
    }
    return watch;
  }

  private void left(String tag) {
    Set<Watch> gone = watches.remove(tag);
    if (gone != null) {
      gone.forEach(Watch::fire);
    }
  }
}
