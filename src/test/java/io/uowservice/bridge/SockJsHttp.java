package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.fail;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.Units;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SockJS session over an HTTP transport, spoken by hand as sockjs-client would: a receiving
 * request (a poll, or a stream that stays open) and {@code xhr_send} / {@code jsonp_send} for what the
 * client sends. The receiving side's SockJS frames ({@code o}, {@code h}, {@code a[...]}, {@code c[...]})
 * are unwrapped from the transport's framing; the bridge messages inside {@code a[...]} are queued as JSON.
 */
final class SockJsHttp implements AutoCloseable {

  enum Transport {
    XHR_POLLING("xhr", HttpMethod.POST, false),
    XHR_STREAMING("xhr_streaming", HttpMethod.POST, true),
    EVENTSOURCE("eventsource", HttpMethod.GET, true),
    HTMLFILE("htmlfile?c=cb", HttpMethod.GET, true),
    JSONP_POLLING("jsonp?c=cb", HttpMethod.GET, false);

    final String path;
    final HttpMethod method;
    final boolean streaming;

    Transport(String path, HttpMethod method, boolean streaming) {
      this.path = path;
      this.method = method;
      this.streaming = streaming;
    }
  }

  private static final long WAIT_SECONDS = 30;
  private static final Pattern SCRIPT_CALL = Pattern.compile("(?:p|cb)\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\);");

  private final HttpClient http;
  private final int port;
  private final Transport transport;
  private final String base;
  private final String query;
  private final BlockingQueue<String> sockJsFrames = new LinkedBlockingQueue<>();
  private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
  private final StringBuilder pending = new StringBuilder();

  /** {@code query}: extra query parameters for every request ("access_token=..."), or "". */
  SockJsHttp(Vertx vertx, ServiceHarness service, Transport transport, String query) {
    // no keep-alive: the SockJS handler closes a polling request's connection once it has answered
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.port = service.config().http().port();
    this.transport = transport;
    this.base = LiveUpdates.EVENTBUS_PATH + "/000/" + Units.unique("s") + "/";
    this.query = query;
  }

  private SockJsHttp(SockJsHttp session, String query) {
    this.http = session.http;
    this.port = session.port;
    this.transport = session.transport;
    this.base = session.base;
    this.query = query;
  }

  /** The same session with other query parameters (another token): for its requests, not its frames. */
  SockJsHttp as(String otherQuery) {
    return new SockJsHttp(this, otherQuery);
  }

  /** Opens the session: the first receiving request, which must bring the open frame. */
  SockJsHttp open() {
    receive();
    String first = nextSockJsFrame();
    if (!first.equals("o")) {
      fail("expected the open frame, got " + first);
    }
    if (!transport.streaming) {
      receive(); // the next poll waits for what comes
    }
    return this;
  }

  /** Sends bridge messages as sockjs-client does for this transport; the service's status. */
  int send(JsonObject... bridgeMessages) {
    JsonArray frames = new JsonArray();
    for (JsonObject message : bridgeMessages) {
      frames.add(message.encode());
    }
    return transport == Transport.JSONP_POLLING
        ? post("jsonp_send", "application/x-www-form-urlencoded",
            "d=" + URLEncoder.encode(frames.encode(), StandardCharsets.UTF_8)).statusCode()
        : post("xhr_send", "text/plain", frames.encode()).statusCode();
  }

  /** A request to this session's {@code suffix} ("xhr_send") with {@code body}; the whole response. */
  Reply post(String suffix, String contentType, String body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setHost("127.0.0.1")
        .setURI(base + suffix + (query.isEmpty() ? "" : "?" + query));
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    return ServiceHarness.await(exchange(http, options, body));
  }

  /** The path of this session's {@code suffix} ("htmlfile?c=cb"). */
  String path(String suffix) {
    return base + suffix;
  }

  /** A whole response: status, headers, body. */
  record Reply(int statusCode, MultiMap headers, String body) {

    String getHeader(String name) {
      return headers.get(name);
    }
  }

  /**
   * One request and its whole response. The response's handlers are in place before the request
   * leaves: attached later (from the test thread, after a fast answer) they could miss its end.
   */
  static Future<Reply> exchange(HttpClient client, RequestOptions options, String body) {
    return client.request(options).compose(req -> {
      Future<Reply> reply = req.response().compose(resp -> resp.body()
          .map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString(StandardCharsets.UTF_8))));
      if (body == null) {
        req.end();
      } else {
        req.end(body);
      }
      return reply;
    });
  }

  /** A request to the service on a connection of its own. */
  static Reply request(Vertx vertx, ServiceHarness service, RequestOptions options) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    try {
      return ServiceHarness.await(exchange(client,
          options.setPort(service.config().http().port()).setHost("127.0.0.1"), null));
    } finally {
      client.close();
    }
  }

  /** The next bridge message; fails the test if none comes within the bounded wait (polling as needed). */
  JsonObject next() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      JsonObject message = messages.poll();
      if (message != null) {
        return message;
      }
      String frame = poll(sockJsFrames, 1);
      if (frame != null) {
        unwrap(frame);
      }
    }
    return fail("no message within " + WAIT_SECONDS + " s");
  }

  /** Messages up to and including the first one {@code last} accepts. */
  List<JsonObject> until(Predicate<JsonObject> last) {
    List<JsonObject> taken = new ArrayList<>();
    JsonObject message;
    do {
      message = next();
      taken.add(message);
    } while (!last.test(message));
    return taken;
  }

  private void unwrap(String frame) {
    if (frame.startsWith("a")) {
      new JsonArray(frame.substring(1)).forEach(m -> messages.add(new JsonObject((String) m)));
    } else if (frame.startsWith("c")) {
      fail("the service closed the session: " + frame);
    }
    // "h": a heartbeat; for a polling transport, every frame ends its request
    if (!transport.streaming) {
      receive();
    }
  }

  private String nextSockJsFrame() {
    String frame = poll(sockJsFrames, WAIT_SECONDS);
    return frame != null ? frame : fail("no SockJS frame within " + WAIT_SECONDS + " s");
  }

  private static <T> T poll(BlockingQueue<T> queue, long seconds) {
    try {
      return queue.poll(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the receiving request; its frames are queued as they arrive. */
  private void receive() {
    String uri = base + transport.path + (query.isEmpty() ? "" : (transport.path.contains("?") ? "&" : "?") + query);
    http.request(new RequestOptions().setMethod(transport.method).setPort(port).setHost("127.0.0.1").setURI(uri))
        .compose(req -> {
          // the body handler is in place before the request leaves, so no early chunk can be missed
          Future<HttpClientResponse> response = req.response().onSuccess(resp -> {
            if (resp.statusCode() != 200) {
              sockJsFrames.add("c[" + resp.statusCode() + ",\"refused\"]");
            }
            resp.handler(this::chunk);
          });
          req.end();
          return response;
        })
        .onFailure(err -> sockJsFrames.add("c[0,\"" + err.getMessage() + "\"]"));
  }

  private synchronized void chunk(Buffer data) {
    pending.append(data.toString(StandardCharsets.UTF_8));
    switch (transport) {
      case XHR_POLLING, XHR_STREAMING -> lines("\n", line -> line.matches("h{2048}") ? null : line);
      case EVENTSOURCE -> lines("\r\n\r\n", event -> event.startsWith("data: ") ? event.substring(6) : null);
      case HTMLFILE, JSONP_POLLING -> scripts();
    }
  }

  private void lines(String separator, java.util.function.UnaryOperator<String> frameOf) {
    int end;
    while ((end = pending.indexOf(separator)) >= 0) {
      String piece = pending.substring(0, end).strip();
      pending.delete(0, end + separator.length());
      String frame = piece.isEmpty() ? null : frameOf.apply(piece);
      if (frame != null) {
        sockJsFrames.add(frame);
      }
    }
  }

  /** htmlfile: {@code <script>p("...");</script>}; JSONP: {@code /**}{@code /cb("...");} — a JS string each. */
  private void scripts() {
    Matcher m = SCRIPT_CALL.matcher(pending);
    int consumed = 0;
    while (m.find()) {
      // a JavaScript string literal: JSON but for the escaped single quote
      sockJsFrames.add((String) Json.decodeValue("\"" + m.group(1).replace("\\'", "'") + "\""));
      consumed = m.end();
    }
    pending.delete(0, consumed);
  }

  @Override
  public void close() {
    ServiceHarness.await(http.close());
  }
}
