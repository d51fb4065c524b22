package io.uowservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw baseline's checkout (../shared/bench/raw-baseline) through the service: each checkout is
 * ONE {@code POST /api/v1/transactions} with the product dirty (stock − 1, {@code expected_version}
 * the version this client last saw for it, re-read after a 409 and counted as a conflict), a new
 * order of the existing user with one item, and a new payment referencing the order by lid.
 * Closed loop: {@code --concurrency} checkouts always in flight. {@code --mode seed} creates the
 * 1,000 users and 10,000 products first. Prints one {@code key=value} line: commits/s, p50/p99/p99.9
 * in ms, conflicts, errors, and CPU ms per checkout of the service, MariaDB and this process (from
 * /proc). Run by {@code src/test/bench/run}, beside the raw baseline.
 */
public final class CheckoutBenchmark {

  static final int USERS = 1_000;
  static final int PRODUCTS = 10_000;
  private static final String API = "/api/v1/transactions";

  private final WebClient client;
  /** Checkouts go round-robin over these (several nodes of a cluster); {@code client} is the first. */
  private final WebClient[] nodes;
  /** Where register-only opens its units (another node than {@code client}: every registration is routed). */
  private final WebClient opener;
  private final AtomicLong turn = new AtomicLong();
  private final long[] versions = new long[PRODUCTS + 1];
  private final long[] stocks = new long[PRODUCTS + 1];
  private final long[] latencies = new long[4_000_000];
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean recording;
  private volatile boolean running = true;

  private CheckoutBenchmark(WebClient[] nodes, WebClient opener) {
    this.client = nodes[0];
    this.nodes = nodes;
    this.opener = opener;
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:8080";
    String mode = "checkout";
    int concurrency = 1;
    int warmup = 5;
    int duration = 15;
    long servicePid = -1;
    String openUrl = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1]; // several, comma-separated: checkouts spread over them
        case "--open-url" -> openUrl = args[i + 1];
        case "--mode" -> mode = args[i + 1];
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--duration" -> duration = Integer.parseInt(args[i + 1]);
        case "--service-pid" -> servicePid = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx();
    String[] urls = url.split(",");
    WebClient[] clients = new WebClient[urls.length];
    for (int i = 0; i < urls.length; i++) {
      clients[i] = client(vertx, urls[i], concurrency);
    }
    CheckoutBenchmark bench = new CheckoutBenchmark(clients, openUrl == null ? clients[0] : client(vertx, openUrl, 8));
    try {
      if (mode.equals("seed")) {
        bench.seed();
      } else if (mode.equals("bulk")) {
        System.out.println(bench.bulk(10_000, servicePid));
        System.out.println(bench.bulk(1_000, servicePid));
      } else if (mode.equals("bulk-transaction")) { // for a profile: the 10,000-entity transaction, 20 times
        for (int i = 0; i < 20; i++) {
          System.out.println(bench.bulkTransaction(10_000) + " ms");
        }
      } else if (mode.equals("register")) {
        System.out.println(bench.registerOnly(concurrency, warmup, duration));
      } else {
        bench.load();
        System.out.println(bench.run(concurrency, warmup, duration, servicePid));
      }
    } finally {
      vertx.close().await();
    }
  }

  private static WebClient client(Vertx vertx, String url, int concurrency) {
    URI uri = URI.create(url.trim());
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost(uri.getHost())
        .setDefaultPort(uri.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(concurrency, 8)));
  }

  private static String user(long n) {
    return "bench-user-" + n;
  }

  private static String product(long n) {
    return "bench-product-" + n;
  }

  /** 1,000 users and 10,000 products (stock 10⁹), 500 per transaction. */
  private void seed() {
    for (int from = 1; from <= USERS + PRODUCTS; from += 500) {
      JsonArray ops = new JsonArray();
      for (int n = from; n < from + 500 && n <= USERS + PRODUCTS; n++) {
        ops.add(n <= USERS
            ? new JsonObject().put("op", "new").put("type", "user").put("id", user(n)).put("name", "user " + n)
                .put("attributes", new JsonObject().put("email", "user" + n + "@example.com"))
            : new JsonObject().put("op", "new").put("type", "product").put("id", product(n - USERS))
                .put("name", "product " + (n - USERS)).put("attributes", new JsonObject()
                    .put("sku", "SKU-" + (n - USERS)).put("price", "19.99").put("stock", 1_000_000_000)));
      }
      HttpResponse<Buffer> r = client.post(API).sendJsonObject(new JsonObject().put("operations", ops)).await();
      if (r.statusCode() != 200 && r.statusCode() != 409) { // 409: seeded before
        throw new IllegalStateException("seed failed: " + r.statusCode() + " " + r.bodyAsString());
      }
    }
    System.out.println("seeded " + USERS + " users and " + PRODUCTS + " products");
  }

  /** The version and stock of every product, as the client starts knowing them. */
  private void load() {
    for (int n = 1; n <= PRODUCTS; n++) {
      refresh(n).await();
    }
  }

  private Future<Void> refresh(int n) {
    return client.get("/api/v1/entities/product/" + product(n)).send().map(r -> {
      JsonObject p = r.bodyAsJsonObject();
      versions[n] = p.getLong("version");
      stocks[n] = p.getJsonObject("attributes").getLong("stock");
      return null;
    });
  }

  private JsonObject checkout(int productNo) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String user = user(1 + r.nextInt(USERS));
    String productId = product(productNo);
    JsonArray ops = new JsonArray()
        .add(new JsonObject().put("op", "dirty").put("type", "product").put("id", productId)
            .put("expected_version", versions[productNo])
            .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", stocks[productNo] - 1))))
        .add(new JsonObject().put("op", "new").put("type", "order").put("lid", "order").put("name", "checkout")
            .put("metadata", new JsonObject().put("channel", "web"))
            .put("attributes", new JsonObject().put("user_id", user).put("amount", "19.99").put("currency", "EUR")
                .put("items", new JsonArray().add(new JsonObject().put("product_id", productId).put("quantity", 1)
                    .put("unit_price", "19.99")))))
        .add(new JsonObject().put("op", "new").put("type", "payment").put("name", "payment")
            .put("attributes", new JsonObject().put("order_id", new JsonObject().put("lid", "order"))
                .put("amount", "19.99").put("currency", "EUR").put("method", "card")));
    return new JsonObject().put("operations", ops);
  }

  private void loop(CountDownLatch done) {
    if (!running) {
      done.countDown();
      return;
    }
    int productNo = 1 + ThreadLocalRandom.current().nextInt(PRODUCTS);
    long started = System.nanoTime();
    nodes[(int) (turn.getAndIncrement() % nodes.length)].post(API).sendJsonObject(checkout(productNo)).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        if (recording) {
          long i = recorded.getAndIncrement();
          if (i < latencies.length) {
            latencies[(int) i] = System.nanoTime() - started;
          }
        }
        JsonArray results = ar.result().bodyAsJsonObject().getJsonArray("results");
        for (int i = 0; i < results.size(); i++) {
          JsonObject result = results.getJsonObject(i);
          if ("product".equals(result.getString("type"))) {
            versions[productNo] = result.getLong("version");
            stocks[productNo]--;
          }
        }
        loop(done);
      } else if (ar.succeeded() && ar.result().statusCode() == 409) {
        if (recording) {
          conflicts.incrementAndGet();
        }
        refresh(productNo).onComplete(x -> loop(done));
      } else {
        errors.incrementAndGet();
        if (errors.get() < 5) {
          System.err.println("checkout failed: " + (ar.succeeded() ? ar.result().statusCode() + " "
              + ar.result().bodyAsString() : ar.cause()));
        }
        loop(done);
      }
    });
  }

  /**
   * One unit of {@code entities} new custom entities committed through ONE {@code POST
   * /api/v1/transactions}, and the same through the session API (open, one registration per entity,
   * commit): end-to-end milliseconds of each, the better of 2 after a warm-up round.
   */
  private double bulkTransaction(int entities) {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < entities; i++) {
      ops.add(new JsonObject().put("op", "new").put("type", "custom").put("name", "bulk " + i)
          .put("attributes", new JsonObject().put("n", i)));
    }
    long t0 = System.nanoTime();
    HttpResponse<Buffer> r = client.post(API).sendJsonObject(new JsonObject().put("operations", ops)).await();
    if (r.statusCode() != 200) {
      throw new IllegalStateException("bulk transaction: " + r.statusCode() + " " + r.bodyAsString());
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private String bulk(int entities, long servicePid) {
    double transaction = Double.MAX_VALUE;
    double session = Double.MAX_VALUE;
    double heapPerEntity = Double.NaN;
    for (int round = 0; round < 3; round++) {
      double took = bulkTransaction(entities);
      long heapBefore = round == 1 ? heapUsedAfterGc(servicePid) : -1;
      long t1 = System.nanoTime();
      String unit = client.post("/api/v1/units-of-work").send().await().bodyAsJsonObject().getString("id");
      for (int i = 0; i < entities; i++) {
        client.post("/api/v1/units-of-work/" + unit + "/entities/new").sendJsonObject(new JsonObject()
            .put("type", "custom").put("name", "bulk " + i).put("attributes", new JsonObject().put("n", i))).await();
      }
      if (heapBefore >= 0) {
        long t2 = System.nanoTime(); // the heap read is not part of the session's time
        heapPerEntity = (heapUsedAfterGc(servicePid) - heapBefore) / (double) entities;
        t1 += System.nanoTime() - t2;
      }
      HttpResponse<Buffer> c = client.post("/api/v1/units-of-work/" + unit + "/commit").send().await();
      double sessionTook = (System.nanoTime() - t1) / 1e6;
      client.delete("/api/v1/units-of-work/" + unit).send().await();
      if (c.statusCode() != 200) {
        throw new IllegalStateException("bulk session commit: " + c.statusCode() + " " + c.bodyAsString());
      }
      if (round > 0) {
        transaction = Math.min(transaction, took);
        session = Math.min(session, sessionTook);
      }
    }
    return String.format(Locale.ROOT, "client=service bulk_entities=%d transaction_ms=%.0f session_ms=%.0f "
        + "heap_bytes_per_tracked_entity=%.0f", entities, transaction, session, heapPerEntity);
  }

  /** The service's used heap after a full GC (jcmd), in bytes; -1 without its pid. */
  private static long heapUsedAfterGc(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      run("jcmd", Long.toString(pid), "GC.run");
      java.util.regex.Matcher used = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K")
          .matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
      return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /** Registrations only (no commit) into one unit per client, {@code concurrency} in flight. */
  private String registerOnly(int concurrency, int warmup, int duration) throws Exception {
    String[] units = new String[concurrency];
    for (int i = 0; i < concurrency; i++) {
      units[i] = opener.post("/api/v1/units-of-work").send().await().bodyAsJsonObject().getString("id");
    }
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      registerLoop(units[i], 0, done);
    }
    TimeUnit.SECONDS.sleep(warmup);
    long t0 = System.nanoTime();
    recording = true;
    TimeUnit.SECONDS.sleep(duration);
    recording = false;
    long elapsed = System.nanoTime() - t0;
    running = false;
    done.await(30, TimeUnit.SECONDS);
    int n = (int) Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "client=service register_only in_flight=%d registrations_per_s=%.0f "
        + "p50_ms=%.2f p99_ms=%.2f errors=%d", concurrency, n / (elapsed / 1e9), pct(sorted, 0.50),
        pct(sorted, 0.99), errors.get());
  }

  /** One client: registers into its unit, and after 1,000 registrations swaps it for a fresh one. */
  private void registerLoop(String unit, int held, CountDownLatch done) {
    if (!running) {
      done.countDown();
      return;
    }
    if (held == 1000) {
      opener.delete("/api/v1/units-of-work/" + unit).send().compose(x -> opener.post("/api/v1/units-of-work").send())
          .onComplete(c -> registerLoop(c.succeeded() ? c.result().bodyAsJsonObject().getString("id") : unit, 0, done));
      return;
    }
    long started = System.nanoTime();
    client.post("/api/v1/units-of-work/" + unit + "/entities/new").sendJsonObject(new JsonObject()
        .put("type", "custom").put("name", "r" + held).put("attributes", new JsonObject().put("n", held)))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 201) {
            if (recording) {
              long i = recorded.getAndIncrement();
              if (i < latencies.length) {
                latencies[(int) i] = System.nanoTime() - started;
              }
            }
          } else {
            errors.incrementAndGet();
          }
          registerLoop(unit, held + 1, done);
        });
  }

  private String run(int concurrency, int warmup, int duration, long servicePid) throws Exception {
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      loop(done);
    }
    TimeUnit.SECONDS.sleep(warmup);
    long[] before = cpu(servicePid);
    long t0 = System.nanoTime();
    recording = true;
    TimeUnit.SECONDS.sleep(duration);
    recording = false;
    long elapsed = System.nanoTime() - t0;
    long[] after = cpu(servicePid);
    running = false;
    done.await(30, TimeUnit.SECONDS);
    int n = (int) Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    double perS = n / (elapsed / 1e9);
    return String.format(Locale.ROOT, "client=service in_flight=%d commits_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
            + "p999_ms=%.2f conflicts=%d errors=%d cpu_ms_service=%.3f cpu_ms_mariadb=%.3f cpu_ms_loadgen=%.3f",
        concurrency, perS, pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999), conflicts.get(), errors.get(),
        perCommit(after[0] - before[0], n), perCommit(after[1] - before[1], n), perCommit(after[2] - before[2], n));
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }

  /** CPU ms per checkout from clock ticks (USER_HZ = 100 on Linux). */
  private static double perCommit(long ticks, int commits) {
    return commits == 0 ? 0 : ticks * 10.0 / commits;
  }

  /** utime + stime ticks of the service, mariadbd and this process. */
  private static long[] cpu(long servicePid) throws IOException {
    return new long[] {servicePid > 0 ? ticks(String.valueOf(servicePid)) : 0, ticks(mariadbPid()),
        ticks(String.valueOf(ProcessHandle.current().pid()))};
  }

  static String mariadbPid() throws IOException {
    try (var dirs = Files.list(Path.of("/proc"))) {
      return dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> {
            try {
              // the machine's server, not an embedded one a test left running
              return Files.readString(p.resolve("cmdline")).startsWith("/usr/sbin/mariadbd");
            } catch (IOException e) {
              return false;
            }
          }).map(p -> p.getFileName().toString()).findFirst().orElse("");
    }
  }

  static long ticks(String pid) {
    if (pid.isEmpty()) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
