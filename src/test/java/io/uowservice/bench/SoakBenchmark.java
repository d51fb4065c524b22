package io.uowservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Hostile traffic against a running service (run it with a bounded heap, e.g. -Xmx512m), beside a
 * bystander that keeps reading one entity: the bystander's p99 read latency quiet and under attack,
 * the attackers' status counts (a 5xx other than 503 for a client mistake is a defect), heap used
 * before and after (pass --pid to have the service's heap collected first with jcmd), and /health.
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.mainClass=io.uowservice.bench.SoakBenchmark \
 *   -Dexec.args="--url http://localhost:8080 --duration 60 --attackers 8 --pid 12345"</pre>
 */
public final class SoakBenchmark {

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;
  private final URI uri;
  private final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
  private final List<String> defects = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile boolean attacking = true;

  /** What a soak found: answers that are defects, the bystander's p99 quiet and loud, /health's status. */
  public record Outcome(List<String> defects, double quietP99Ms, double loudP99Ms, int healthStatus,
      Map<String, AtomicLong> statuses) {
  }

  /** A bounded soak for tests: {@code quietSeconds} of reads, then {@code seconds} of attack beside them. */
  public static Outcome soak(URI uri, int quietSeconds, int seconds, int attackers) {
    SoakBenchmark soak = new SoakBenchmark(uri);
    try {
      return soak.measure(quietSeconds, seconds, attackers);
    } finally {
      soak.vertx.close();
    }
  }

  private SoakBenchmark(URI uri) {
    this.uri = uri;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(uri.getHost())
        .setDefaultPort(uri.getPort()).setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  public static void main(String[] args) throws Exception {
    String url = "http://localhost:8080";
    int duration = 60;
    int attackers = 8;
    String pid = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--duration" -> duration = Integer.parseInt(args[i + 1]);
        case "--attackers" -> attackers = Integer.parseInt(args[i + 1]);
        case "--pid" -> pid = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    new SoakBenchmark(URI.create(url)).run(duration, attackers, pid);
    System.exit(0);
  }

  private Outcome measure(int quietSeconds, int seconds, int attackers) {
    await(client.post("/api/v1/transactions").sendJsonObject(new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "custom").put("name", "probe")))));
    long[] quiet = bystander(quietSeconds);
    List<Future<Void>> attacks = new ArrayList<>();
    for (int a = 0; a < attackers; a++) {
      attacks.add(attack(new Random(a)));
    }
    long[] loud = bystander(seconds);
    attacking = false;
    await(Future.join(attacks).otherwiseEmpty());
    int health = await(client.get("/health").send()).statusCode();
    return new Outcome(List.copyOf(defects), pct(quiet, 99), pct(loud, 99), health, statuses);
  }

  private void run(int duration, int attackers, String pid) throws Exception {
    String probe = "soak-probe-" + UUID.randomUUID();
    await(client.post("/api/v1/transactions").sendJsonObject(new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "custom").put("id", probe).put("name", "probe")))));
    bystander(10); // warm-up: JIT, connections
    long heapBefore = heap(pid);
    long[] quiet = bystander(15);
    System.out.printf("quiet: %d reads, p50 %.2f ms, p99 %.2f ms; heap %d MiB%n", quiet.length, pct(quiet, 50),
        pct(quiet, 99), heapBefore >> 20);

    List<Future<Void>> attacks = new ArrayList<>();
    for (int a = 0; a < attackers; a++) {
      attacks.add(attack(new Random(a)));
    }
    long[] loud = bystander(duration);
    attacking = false;
    await(Future.join(attacks).otherwiseEmpty());
    long heapAfter = heap(pid);
    HttpResponse<Buffer> health = await(client.get("/health").send());
    System.out.printf("attack: %d s, %d attackers; bystander %d reads, p50 %.2f ms, p99 %.2f ms (%.1fx quiet)%n",
        duration, attackers, loud.length, pct(loud, 50), pct(loud, 99), pct(loud, 99) / Math.max(0.01, pct(quiet, 99)));
    System.out.printf("attacker statuses: %s%n", new java.util.TreeMap<>(statuses));
    System.out.printf("heap after a GC: %d MiB (before %d MiB); /health %d %s%n", heapAfter >> 20, heapBefore >> 20,
        health.statusCode(), health.bodyAsJsonObject().getString("status"));
    System.out.printf("defects (5xx but 503 for a client mistake, or no answer): %d %s%n", defects.size(),
        defects.subList(0, Math.min(10, defects.size())));
  }

  /** Reads the probe for {@code seconds} (one request at a time), returning latencies in ns. */
  private long[] bystander(int seconds) {
    List<Long> latencies = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      long t = System.nanoTime();
      HttpResponse<Buffer> r = await(client.get("/api/v1/entities/custom/count").send());
      latencies.add(System.nanoTime() - t);
      if (r.statusCode() != 200) {
        defects.add("bystander read " + r.statusCode());
      }
    }
    return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  private Future<Void> attack(Random random) {
    if (!attacking) {
      return Future.succeededFuture();
    }
    List<Supplier<Future<String>>> kinds = List.of(
        () -> get("/api/v1/entities/product?price=1e999999999"),
        () -> post("/api/v1/transactions", "/*\"*/{\"operations\":[{\"op\":\"new\",\"name\":\"x\",\"attributes\":{\"a\":"
            + "[".repeat(150) + "]".repeat(150) + "}}]}"),
        () -> post("/api/v1/transactions", "{\"operations\":[{\"op\":\"new\",\"name\":\"n\",\"attributes\":{\"n\":1e400}}]}"),
        () -> post("/api/v1/transactions", cleanOps(10_000)),
        () -> bigUnit(random),
        () -> halfSent(),
        () -> post("/api/v1/units-of-work/" + UUID.randomUUID() + "/commit", ""),
        () -> post("/api/v1/repositories/", new JsonObject().put("entity_type", "soak_" + random.nextInt(1_000_000))
            .put("name", "x").put("schema", new JsonObject().put("properties", new JsonObject().put("c",
                new JsonObject().put("pattern", "(a+)+$")))).encode()));
    return kinds.get(random.nextInt(kinds.size())).get()
        .map(status -> {
          statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
          if (status.startsWith("5") && !status.equals("503")) {
            defects.add(status);
          }
          return null;
        })
        .recover(err -> {
          statuses.computeIfAbsent("error", s -> new AtomicLong()).incrementAndGet();
          return Future.succeededFuture();
        })
        .compose(v -> attack(random));
  }

  private Future<String> get(String path) {
    return client.get(path).send().map(r -> String.valueOf(r.statusCode()));
  }

  private Future<String> post(String path, String body) {
    return client.request(HttpMethod.POST, path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).map(r -> String.valueOf(r.statusCode()));
  }

  private static String cleanOps(int n) {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < n; i++) {
      ops.add(new JsonObject().put("op", "clean").put("id", "missing-" + i));
    }
    return new JsonObject().put("operations", ops).encode();
  }

  /** Opens a unit and fills it with large entities until a limit answers, then discards it. */
  private Future<String> bigUnit(Random random) {
    String blob = "x".repeat(60_000);
    JsonArray chunks = new JsonArray();
    for (int i = 0; i < 60; i++) {
      chunks.add(blob);
    }
    String entity = new JsonObject().put("name", "big").put("attributes", new JsonObject().put("b", chunks)).encode();
    return client.post("/api/v1/units-of-work").send().compose(created -> {
      if (created.statusCode() != 201) {
        return Future.succeededFuture(String.valueOf(created.statusCode()));
      }
      String unit = created.bodyAsJsonObject().getString("id");
      return fill(unit, entity, 0).compose(status -> client.delete("/api/v1/units-of-work/" + unit).send()
          .map(d -> status));
    });
  }

  private Future<String> fill(String unit, String entity, int n) {
    return post("/api/v1/units-of-work/" + unit + "/entities/new", entity)
        .compose(status -> status.equals("201") && n < 40 && attacking ? fill(unit, entity, n + 1)
            : Future.succeededFuture(status));
  }

  /** A request whose body never finishes: the service must answer 408 and close, not hold it. */
  private Future<String> halfSent() {
    return vertx.createNetClient().connect(uri.getPort(), uri.getHost()).compose((NetSocket socket) -> {
      io.vertx.core.Promise<String> answer = io.vertx.core.Promise.promise();
      StringBuilder text = new StringBuilder();
      socket.handler(b -> text.append(b.toString()));
      socket.closeHandler(v -> answer.tryComplete(text.length() >= 12 ? text.substring(9, 12) : "closed"));
      vertx.setTimer(60_000, t -> {
        answer.tryComplete("held");
        socket.close();
      });
      socket.write("POST /api/v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000\r\n\r\n{\"operations\":[");
      return answer.future();
    });
  }

  private static long heap(String pid) throws Exception {
    if (pid != null) {
      new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
      Process p = new ProcessBuilder("jcmd", pid, "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }
    return -1;
  }

  private static double pct(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1_000_000.0;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}
