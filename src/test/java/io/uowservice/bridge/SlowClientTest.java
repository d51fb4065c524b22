package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Live updates: a client that does not read is disconnected past a bounded queue; commits go on")
class SlowClientTest {

  /** Small, so a client that never reads overflows after a few dozen large frames. */
  private static final int MAX_QUEUED_BYTES = 65_536;
  /** An upper bound only: the kernel's socket buffers absorb an unknown amount before the queue fills. */
  private static final int MAX_COMMITS = 40;
  private static final int ENTITIES_PER_COMMIT = 5;
  /** Each entity.created frame carries about this much. */
  /** Two of them make a ~100 KB frame; each stays under the request pre-scan's 64 KiB string cap. */
  private static final String BLOB = "x".repeat(50_000);
  /** The upgrade response and the WebSocket frame headers the stalled client reads beside the payloads. */
  private static final int FRAMING_BYTES = 4096;

  @RegisterExtension
  static final LiveService live = new LiveService(
      Map.of("UOW_LIVE_UPDATES__MAX_QUEUED_BYTES", String.valueOf(MAX_QUEUED_BYTES)));

  @Test
  void aSlowWebSocketClientIsDroppedWithoutSlowingCommits() throws IOException {
    long before = slowClientsDisconnected();
    try (Socket stalled = neverReadingWebSocket("/ws"); LiveClient reader = live.connect("/ws")) {
      List<String> committed = commitUntilASlowClientIsDisconnected(before);

      // the client that reads gets everything, in order
      List<String> seen = new ArrayList<>();
      List<JsonObject> frames = reader.until(e -> {
        if (e.getString("type").equals("unit_of_work.committed")) {
          seen.add(e.getString("unit_of_work_id"));
        }
        return seen.size() == committed.size();
      });
      assertThat(seen).isEqualTo(committed);

      JsonObject counters = liveStats();
      assertThat(counters.getLong("slow_clients_disconnected")).isEqualTo(before + 1);
      assertThat(counters.getLong("frames_dropped")).isGreaterThanOrEqualTo(1);
      assertThat(counters.getLong("websocket_clients")).isEqualTo(1);

      // what the stalled client finds once it does read: some frames, then a close frame with 1008
      // (policy violation), then the end of the connection
      byte[] received = readToEnd(stalled);
      // it got less than the reader did (whose frames it would have got too), framing and handshake aside,
      // and never the last commit's summary: its queue overflowed during that commit, so the rest was dropped
      long delivered = frames.stream().mapToLong(f -> f.encode().length()).sum();
      assertThat((long) received.length).isLessThan(delivered + FRAMING_BYTES);
      String lastSummary = "\"type\":\"unit_of_work.committed\",\"unit_of_work_id\":\""
          + committed.get(committed.size() - 1) + "\"";
      assertThat(frames).as("the reader got it, in this very text").anyMatch(f -> f.encode().contains(lastSummary));
      assertThat(new String(received, StandardCharsets.ISO_8859_1)).doesNotContain(lastSummary);
      assertThat(indexOf(received, new byte[] {(byte) 0x88})).isNotNegative();
      assertThat(new String(received, StandardCharsets.ISO_8859_1)).contains("too slow");
    }
  }

  @Test
  void aSlowSockJsClientIsDroppedToo() throws IOException {
    long before = slowClientsDisconnected();
    try (Socket stalled = neverReadingWebSocket("/eventbus/websocket")) {
      sendText(stalled, new JsonObject().put("type", "register").put("address", "uow.events"));
      // frames are handled in order: once this refusal is back, the registration is in effect
      sendText(stalled, new JsonObject().put("type", "publish").put("address", "uow.elsewhere"));
      byte[] head = stalled.getInputStream().readNBytes(2);
      assertThat(new String(stalled.getInputStream().readNBytes(head[1] & 0x7f), StandardCharsets.UTF_8))
          .isEqualTo("{\"type\":\"err\",\"body\":\"access_denied\"}");

      List<String> committed = commitUntilASlowClientIsDisconnected(before);

      assertThat(committed).isNotEmpty();
      assertThat(liveStats().getLong("frames_dropped")).isGreaterThanOrEqualTo(1);
    }
  }

  /** Commits units of large entities until the stats count one more slow client disconnected. */
  private static List<String> commitUntilASlowClientIsDisconnected(long before) {
    List<String> committed = new ArrayList<>();
    while (slowClientsDisconnected() == before) {
      assertThat(committed).as("commits before a slow client was disconnected").hasSizeLessThan(MAX_COMMITS);
      String unit = live.units().open();
      for (int e = 0; e < ENTITIES_PER_COMMIT; e++) {
        live.units().add(unit, new JsonObject().put("type", "custom").put("name", "blob " + e)
            .put("attributes", new JsonObject().put("blob", BLOB).put("more", BLOB)));
      }
      // every commit succeeds although a client has stopped reading long ago
      live.units().committed(unit);
      committed.add(unit);
    }
    assertThat(slowClientsDisconnected()).isEqualTo(before + 1);
    return committed;
  }

  /** One client-to-server text frame (clients must mask; a zero mask leaves the payload as it is). */
  private static void sendText(Socket socket, JsonObject message) throws IOException {
    byte[] payload = message.encode().getBytes(StandardCharsets.UTF_8);
    assertThat(payload.length).isLessThan(126);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    frame.write(0x80 | payload.length);
    frame.write(new byte[4]);
    frame.write(payload);
    socket.getOutputStream().write(frame.toByteArray());
  }

  private static JsonObject liveStats() {
    return live.service().get("/api/v1/stats").json().getJsonObject("live_updates");
  }

  private static long slowClientsDisconnected() {
    return liveStats().getLong("slow_clients_disconnected");
  }

  /** A WebSocket client on a raw socket with a tiny receive buffer that, after the handshake, never reads. */
  private static Socket neverReadingWebSocket(String path) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.setSoTimeout(30_000);
    socket.connect(new InetSocketAddress("127.0.0.1", live.service().config().http().port()));
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("handshake response").isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return socket;
  }

  /** Reads until the server closes the connection (bounded by the socket's read timeout). */
  private static byte[] readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[65_536];
    InputStream in = socket.getInputStream();
    for (int n; (n = in.read(buffer)) >= 0; ) {
      all.write(buffer, 0, n);
    }
    return all.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
