package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.uowservice.testsupport.Jwts;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.Units;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A web app on another origin, as a browser runs it: {@code src/test/browser/eventbus.html} loads the
 * official {@code @vertx/eventbus-bridge-client.js} and {@code sockjs-client} from npm, and drive.mjs
 * (Playwright) opens it in Debian's Chromium once per SockJS transport, each forced in turn. The page is
 * served from a port of its own, so every request to the service is cross-origin (CORS with credentials,
 * as sockjs-client sends them). {@code htmlfile} is not among them: sockjs-client offers it only to a
 * page on the service's own origin (SockJsHttpTransportsTest covers it on the wire), and the iframe
 * transports load sockjs-client from a CDN this service does not name.
 *
 * <p>Needs node, npm and Chromium: {@code .ci/run} installs Chromium with apt when it is missing; the
 * npm packages are installed here from the committed lock file when they are not. Without Chromium
 * the test is skipped on a developer's machine and fails under CI.
 */
@DisplayName("A browser on another origin uses /eventbus with the official client over every SockJS transport")
class BrowserEventBusTest {

  private static final String SECRET = "browser-event-bus-test-secret-0123456789";
  private static final Path BROWSER = Path.of("src", "test", "browser").toAbsolutePath();
  private static final List<String> TRANSPORTS = List.of("websocket", "xhr-streaming", "xhr-polling", "eventsource",
      "jsonp-polling");

  @RegisterExtension
  static final LiveService live = new LiveService(Map.of("UOW_SECURITY__ENABLED", "true",
      "UOW_SECURITY__JWT_SECRET", SECRET));

  @Test
  void eventsProgressAndRefusalsReachTheOfficialClientOnEveryTransport() throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    if (!Files.isExecutable(chromium)) {
      String why = chromium + " is missing: install Debian's chromium (.ci/run does: apt-get install chromium)";
      if (System.getenv("CI") != null) {
        fail(why);
      }
      Assumptions.abort(why);
    }
    installNodeModules();

    Router site = Router.router(live.vertx());
    site.route().handler(StaticHandler.create(FileSystemAccess.ROOT, BROWSER.toString()).setCachingEnabled(false));
    HttpServer pages = ServiceHarness.await(live.vertx().createHttpServer().requestHandler(site)
        .listen(0, "127.0.0.1"));
    try {
      String prefix = Units.unique("browser");
      JsonObject job = new JsonObject()
          .put("page", "http://127.0.0.1:" + pages.actualPort() + "/eventbus.html")
          .put("service", "http://127.0.0.1:" + live.service().config().http().port())
          .put("token", Jwts.hs256(Jwts.claims("browser-user", 3600, "reader", "writer"),
              SECRET.getBytes(StandardCharsets.UTF_8)))
          .put("badToken", Jwts.hs256(Jwts.claims("browser-user", 3600, "reader"),
              "another-secret-of-the-right-length-0123456789".getBytes(StandardCharsets.UTF_8)))
          .put("entityPrefix", prefix)
          .put("transports", new JsonArray(TRANSPORTS));

      Map<String, JsonObject> flows = run(job).stream().filter(r -> r.getString("scenario").equals("flow"))
          .collect(Collectors.toMap(r -> r.getString("transport"), Function.identity()));
      assertThat(flows.keySet()).containsExactlyInAnyOrderElementsOf(TRANSPORTS);

      for (String transport : TRANSPORTS) {
        JsonObject seen = flows.get(transport);
        assertThat(seen.getString("failure")).as("%s: %s", transport, seen).isNull();
        assertThat(seen.getString("transportUsed")).as(transport).isEqualTo(transport);
        assertThat(seen.getJsonArray("errors")).as(transport)
            .contains(new JsonObject().put("type", "err").put("body", "access_denied"));
        assertThat(seen.getJsonArray("events").getList()).as(transport)
            .containsExactly("entity.created", "unit_of_work.committed");
        assertThat(seen.getJsonArray("progress").getList()).as(transport)
            .startsWith("started").endsWith("committed");
        assertThat(live.service().query("SELECT id FROM custom_entities WHERE id = '" + prefix + "-" + transport + "'"))
            .as(transport).hasSize(1);
      }
      JsonObject badToken = lastRun.stream().filter(r -> r.getString("scenario").equals("bad-token")).findFirst()
          .orElseThrow();
      assertThat(badToken.getBoolean("opened")).as("%s", badToken).isFalse();
      assertThat(badToken.getBoolean("closed")).as("the client gave up: %s", badToken).isTrue();
    } finally {
      ServiceHarness.await(pages.close());
    }
  }

  private List<JsonObject> lastRun;

  private List<JsonObject> run(JsonObject job) throws IOException, InterruptedException {
    Path log = Files.createTempFile("browser-test", ".log");
    Process node = new ProcessBuilder("node", "drive.mjs", job.encode()).directory(BROWSER.toFile())
        .redirectError(log.toFile()).start();
    String out;
    try (var stdout = node.getInputStream()) {
      if (!node.waitFor(180, TimeUnit.SECONDS)) {
        node.destroyForcibly();
        fail("the browser run took more than 180 s; its log: " + Files.readString(log));
      }
      out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (node.exitValue() != 0) {
      fail("drive.mjs exited with " + node.exitValue() + ": " + Files.readString(log) + "\n" + out);
    }
    lastRun = out.lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
    return lastRun;
  }

  /** From the committed package-lock.json; a no-op once node_modules holds it. */
  private static void installNodeModules() throws IOException, InterruptedException {
    if (Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))
        && Files.isDirectory(BROWSER.resolve("node_modules/@vertx/eventbus-bridge-client.js"))) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER.toFile())
        .redirectErrorStream(true).start();
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
      fail("npm ci in " + BROWSER + " failed: " + output);
    }
  }
}
