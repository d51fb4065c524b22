package io.uowservice.bridge;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The bridge between the domain events and live clients. It consumes {@link Addresses#EVENTS}, encodes
 * each event to JSON text ONCE and publishes that text locally on {@link Addresses#LIVE_FRAMES}, where
 * every HTTP verticle instance writes it to the WebSocket clients it accepted (a socket can only be
 * written from its own event loop). Encoding here rather than per instance keeps that work independent
 * of the number of HTTP instances. It also answers {@link Addresses#LIVE_STATS}.
 *
 * <p>SockJS clients need nothing from here: the vertx-web bridge subscribes them to the event-bus
 * addresses themselves ({@link LiveUpdates}).
 */
public final class BridgeVerticle extends VerticleBase {

  /** Header of a {@link Addresses#LIVE_FRAMES} message: the event's {@code type}, for the /ws filters. */
  static final String TYPE_HEADER = "type";

  private LiveUpdateStats stats;
  private int maxQueuedBytes;

  @Override
  public Future<?> start() {
    maxQueuedBytes = AppConfig.from(config()).liveUpdates().maxQueuedBytes();
    stats = LiveUpdateStats.of(vertx);
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS, this::forward).completion(),
        ServiceBinder.liveStats(vertx, () -> stats.toJson(maxQueuedBytes)));
  }

  private void forward(Message<JsonObject> event) {
    if (stats.webSocketClients.sum() == 0) {
      // nobody on /ws anywhere in this process: spare the encoding (a large commit is 10,000 events)
      return;
    }
    JsonObject body = event.body();
    // a String is handed to local consumers as is, so every instance shares this one encoding
    vertx.eventBus().publish(Addresses.LIVE_FRAMES, body.encode(), new DeliveryOptions().setLocalOnly(true)
        .addHeader(TYPE_HEADER, body.getString("type", "")));
  }
}
