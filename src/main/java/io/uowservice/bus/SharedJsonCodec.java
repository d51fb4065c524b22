package io.uowservice.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A JSON message handed over on the local bus as it is, not copied (the default codec deep-copies
 * every JsonObject sent between verticles: 15 % of the bytes a registration allocated). Only for
 * messages nobody changes after the hand-off: requests (every sender builds its body for the call
 * and drops it; {@link ServiceClient}), the repositories' replies (built from rows for the caller;
 * {@link ServiceBinder#entityReads}) and the actors' (built per call; what an actor keeps of one it
 * never changes; {@link ServiceBinder#units}). Their receivers only read them. Over a clustered bus
 * it travels as JSON text.
 */
final class SharedJsonCodec implements MessageCodec<JsonObject, JsonObject> {

  static final String NAME = "uow.shared-json";

  /** Registers the codec on {@code vertx} once (every verticle that sends or answers asks). */
  static void registerOn(Vertx vertx) {
    synchronized (SharedJsonCodec.class) {
      try {
        vertx.eventBus().registerCodec(new SharedJsonCodec());
      } catch (IllegalStateException alreadyRegistered) {
        // another verticle of this Vert.x instance did
      }
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
