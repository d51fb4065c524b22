package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The calling end of the bus protocol: the service interfaces over the event bus, for the HTTP
 * edge, the Kafka command consumer and the actors' own loads. The only place that chooses which
 * actor owns a unit, on which node, and builds messages.
 */
public final class ServiceClient {

  private final Vertx vertx;
  private final DeliveryOptions options;
  private final UnitService units;
  private final ReadsOverBus reads;
  private final TypeRegistry types;
  private final OutboxAdmin outbox;
  private final NodeDirectory nodes;

  /** {@code shards}: the UnitOfWork actors per node; {@code timeout}: how long a call waits for its reply. */
  public ServiceClient(Vertx vertx, int shards, Duration timeout) {
    this.vertx = vertx;
    SharedJsonCodec.registerOn(vertx);
    // a request's body is built for the call and dropped by its sender: the receiver may have it as it is
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setCodecName(SharedJsonCodec.NAME);
    this.nodes = new NodesOverBus(this);
    this.units = new UnitsOverBus(this, vertx, nodes, shards);
    this.reads = new ReadsOverBus(this);
    this.types = reads.types();
    this.outbox = reads.outbox();
  }

  /** Each call goes to the actor owning its unit; {@code stats} sums every actor's. */
  public UnitService units() {
    return units;
  }

  /** Each call goes to the repository in charge of its type. */
  public EntityReads entities() {
    return reads;
  }

  public TypeRegistry types() {
    return types;
  }

  public OutboxAdmin outbox() {
    return outbox;
  }

  /** This node's registry of the nodes that ran here (and, clustered, of the default units). */
  public NodeDirectory nodes() {
    return nodes;
  }

  /** The bridge verticle's live-update counters. */
  public Future<JsonObject> liveStats() {
    return request(Addresses.LIVE_STATS, "stats", new JsonObject());
  }

  Future<JsonObject> request(String address, String action, JsonObject body) {
    return exchange(address, action, body).map(Message::body);
  }

  Future<Message<JsonObject>> exchange(String address, String action, JsonObject body) {
    return vertx.eventBus().request(address, body, new DeliveryOptions(options).addHeader(Wire.ACTION, action));
  }
}
