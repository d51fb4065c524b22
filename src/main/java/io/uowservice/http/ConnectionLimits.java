package io.uowservice.http;

import io.uowservice.limits.CountsPerKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections of this node, shared by its HTTP verticle instances: at most {@code max} in all
 * and {@code maxPerClient} from one client address, so sockets — a request head dribbled byte by
 * byte holds one until {@code http.idle_timeout} — are a bounded resource too. A connection past a
 * limit is closed at once, before it is read.
 */
final class ConnectionLimits implements Shareable {

  private final AtomicInteger open = new AtomicInteger();
  private final CountsPerKey byClient = new CountsPerKey();

  static ConnectionLimits of(Vertx vertx) {
    var map = vertx.sharedData().<String, ConnectionLimits>getLocalMap("uow.http.connections");
    ConnectionLimits created = new ConnectionLimits();
    ConnectionLimits existing = map.putIfAbsent("limits", created);
    return existing != null ? existing : created;
  }

  void admit(HttpConnection conn, int max, int maxPerClient) {
    String client = conn.remoteAddress() == null || conn.remoteAddress().host() == null ? "unknown"
        : conn.remoteAddress().host();
    boolean admitted = open.incrementAndGet() <= max && byClient.tryAdd(client, maxPerClient);
    if (!admitted) {
      open.decrementAndGet();
      conn.close();
      return;
    }
    conn.closeHandler(v -> {
      open.decrementAndGet();
      byClient.remove(client);
    });
  }

  int open() {
    return open.get();
  }
}
