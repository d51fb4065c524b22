package io.uowservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on a running service: {@code concurrency} clients each post a "checkout"
 * transaction (new user, product, order referencing both by lid, payment referencing the order)
 * to {@code POST /api/v1/transactions}, or, with {@code --mode session}, the same four entities
 * through a session unit (create, 4 registrations, commit). Prints commits/s and latency
 * percentiles of the window after the warm-up. Run it beside the raw baseline in ../shared/bench.
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.args="--url http://localhost:8080 --concurrency 1"</pre>
 */
public final class TransactionBenchmark {

  private final WebClient client;
  private final String mode;
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean recording;
  private volatile boolean running = true;
  private final long[] latencies = new long[5_000_000];
  private final AtomicLong recorded = new AtomicLong();

  private TransactionBenchmark(WebClient client, String mode) {
    this.client = client;
    this.mode = mode;
  }

  public static void main(String[] args) throws Exception {
    String url = "http://localhost:8080";
    int concurrency = 1;
    int warmup = 5;
    int duration = 15;
    String mode = "transaction";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--duration" -> duration = Integer.parseInt(args[i + 1]);
        case "--mode" -> mode = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    URI uri = URI.create(url);
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(uri.getHost())
        .setDefaultPort(uri.getPort()).setKeepAlive(true));
    TransactionBenchmark bench = new TransactionBenchmark(client, mode);
    for (int i = 0; i < concurrency; i++) {
      vertx.runOnContext(v -> bench.loop());
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    long startErrors = bench.errors.get();
    bench.recording = true;
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(duration));
    bench.recording = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    bench.running = false;
    int n = (int) Math.min(bench.recorded.get(), bench.latencies.length);
    long[] sorted = Arrays.copyOf(bench.latencies, n);
    Arrays.sort(sorted);
    System.out.printf("mode=%s concurrency=%d window=%.1fs commits=%d commits/s=%.0f p50=%.2fms p99=%.2fms "
            + "p99.9=%.2fms max=%.2fms errors=%d%n", mode, concurrency, seconds, n, n / seconds,
        pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999), n == 0 ? 0 : sorted[n - 1] / 1e6,
        bench.errors.get() - startErrors);
    Thread.sleep(500);
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }

  private void loop() {
    if (!running) {
      return;
    }
    long started = System.nanoTime();
    Future<Void> one = "session".equals(mode) ? session() : transaction();
    one.onComplete(ar -> {
      if (ar.failed()) {
        errors.incrementAndGet();
      } else if (recording) {
        long i = recorded.getAndIncrement();
        if (i < latencies.length) {
          latencies[(int) i] = System.nanoTime() - started;
        }
      }
      loop();
    });
  }

  private Future<Void> transaction() {
    String tag = UUID.randomUUID().toString();
    JsonObject body = new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "user").put("lid", "u").put("name", "buyer"))
        .add(product(tag).put("op", "new").put("lid", "p"))
        .add(order().put("op", "new").put("lid", "o"))
        .add(payment().put("op", "new")));
    return post("/api/v1/transactions", body).mapEmpty();
  }

  private Future<Void> session() {
    String tag = UUID.randomUUID().toString();
    return post("/api/v1/units-of-work", new JsonObject()).compose(unit -> {
      String base = "/api/v1/units-of-work/" + unit.getString("id");
      return post(base + "/entities/new", new JsonObject().put("type", "user").put("lid", "u").put("name", "buyer"))
          .compose(v -> post(base + "/entities/new", product(tag).put("lid", "p")))
          .compose(v -> post(base + "/entities/new", order().put("lid", "o")))
          .compose(v -> post(base + "/entities/new", payment()))
          .compose(v -> post(base + "/commit", null))
          .compose(v -> client.delete(base).send().mapEmpty());
    });
  }

  private static JsonObject product(String tag) {
    return new JsonObject().put("type", "product").put("name", "widget")
        .put("attributes", new JsonObject().put("sku", tag).put("price", "12.50").put("stock", 100));
  }

  private static JsonObject order() {
    return new JsonObject().put("type", "order").put("name", "order").put("attributes", new JsonObject()
        .put("user_id", new JsonObject().put("lid", "u")).put("amount", "25.00").put("currency", "EUR")
        .put("items", new JsonArray().add(new JsonObject().put("product_id", new JsonObject().put("lid", "p"))
            .put("quantity", 2).put("unit_price", "12.50"))));
  }

  private static JsonObject payment() {
    return new JsonObject().put("type", "payment").put("name", "payment").put("attributes", new JsonObject()
        .put("order_id", new JsonObject().put("lid", "o")).put("amount", "25.00").put("currency", "EUR")
        .put("method", "card"));
  }

  private Future<JsonObject> post(String path, JsonObject body) {
    Promise<JsonObject> promise = Promise.promise();
    var request = client.post(path).putHeader("Content-Type", "application/json");
    (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body.encode()))).onComplete(ar -> {
      if (ar.failed()) {
        promise.fail(ar.cause());
      } else if (ar.result().statusCode() >= 300) {
        promise.fail(ar.result().statusCode() + " " + ar.result().bodyAsString());
      } else {
        promise.complete(ar.result().bodyAsJsonObject());
      }
    });
    return promise.future();
  }
}
