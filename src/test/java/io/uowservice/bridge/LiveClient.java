package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.fail;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.Units;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client for the tests: /ws, or SockJS's raw WebSocket transport /eventbus/websocket
 * speaking the vertx-eventbus bridge frames. Every message it receives is queued as JSON; the test
 * thread takes them with bounded waits (never an event loop).
 */
public final class LiveClient implements AutoCloseable {

  private static final long WAIT_SECONDS = 30;

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final Promise<Void> closed = Promise.promise();

  private final boolean sockJsFraming;

  /** Runs on the socket's event loop as the connection completes, so no early frame is missed. */
  private LiveClient(WebSocketClient client, WebSocket socket, boolean sockJsFraming) {
    this.client = client;
    this.socket = socket;
    this.sockJsFraming = sockJsFraming;
    socket.textMessageHandler(sockJsFraming ? this::sockJsFrame : text -> frames.add(new JsonObject(text)));
    // SockJS's raw transport writes the bridge's frames as binary messages
    socket.binaryMessageHandler(data -> frames.add(data.toJsonObject()));
    socket.closeHandler(v -> closed.tryComplete());
  }

  /** Connects to {@code path} (e.g. "/ws?types=entity.created") of the service's HTTP port. */
  public static LiveClient connect(Vertx vertx, ServiceHarness service, String path) {
    return connect(vertx, service, path, false);
  }

  /**
   * Connects to the SockJS WebSocket transport {@code /eventbus/<server>/<session>/websocket}, the one a
   * browser's SockJS client uses: messages come as {@code a["...", ...]}, {@code o} opens, {@code h} is a
   * heartbeat.
   */
  public static LiveClient sockJs(Vertx vertx, ServiceHarness service) {
    return connect(vertx, service, "/eventbus/000/" + Units.unique("s") + "/websocket", true);
  }

  private static LiveClient connect(Vertx vertx, ServiceHarness service, String path, boolean sockJsFraming) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(4 << 20));
    return ServiceHarness.await(client.connect(service.config().http().port(), "127.0.0.1", path)
        .map(socket -> new LiveClient(client, socket, sockJsFraming)));
  }

  private void sockJsFrame(String text) {
    if (text.startsWith("a")) {
      new JsonArray(text.substring(1)).forEach(message -> frames.add(new JsonObject((String) message)));
    }
  }

  /** The connect attempt's outcome, for upgrades that must be refused. */
  static Future<WebSocket> attempt(Vertx vertx, ServiceHarness service, String path) {
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(service.config().http().port(), "127.0.0.1", path).eventually(client::close);
  }

  /** Completes with the close status code the service sent, once the socket is closed. */
  Future<Short> closed() {
    return closed.future().map(v -> socket.closeStatusCode());
  }

  public void send(JsonObject frame) {
    String text = sockJsFraming ? new JsonArray().add(frame.encode()).encode() : frame.encode();
    ServiceHarness.await(socket.writeTextMessage(text));
  }

  /** The next frame; fails the test if none comes within the bounded wait. */
  public JsonObject next() {
    try {
      JsonObject frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        fail("no frame within " + WAIT_SECONDS + " s");
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Frames up to and including the first one {@code last} accepts. */
  public List<JsonObject> until(Predicate<JsonObject> last) {
    List<JsonObject> taken = new ArrayList<>();
    JsonObject frame;
    do {
      frame = next();
      taken.add(frame);
    } while (!last.test(frame));
    return taken;
  }

  /** Whatever arrived and was not taken yet. */
  public List<JsonObject> pending() {
    List<JsonObject> rest = new ArrayList<>();
    frames.drainTo(rest);
    return rest;
  }

  @Override
  public void close() {
    if (!socket.isClosed()) {
      ServiceHarness.await(socket.close());
    }
    ServiceHarness.await(client.close());
  }
}
