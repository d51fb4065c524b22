package io.uowservice.security;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The handler behind authentication: until that lands, a stand-in handler puts the subject of a
 * test header where authentication will put it ({@link SecurityAudit#SUBJECT}).
 */
@DisplayName("RateLimitHandler keys on the authenticated subject, else the client IP")
class RateLimitHandlerTest {

  private Vertx vertx;
  private HttpServer server;
  private WebClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String subject = ctx.request().getHeader("X-Test-Subject");
      if (subject != null) {
        ctx.put(SecurityAudit.SUBJECT, subject);
      }
      ctx.next();
    });
    RateLimiter limiter = new MemoryRateLimiter(1, Duration.ofSeconds(60), System::currentTimeMillis);
    router.route().handler(new RateLimitHandler(limiter, false,
        (ctx, problem) -> ctx.response().setStatusCode(problem.status()).end(problem.slug())));
    router.route().handler(ctx -> ctx.response().end("ok"));
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() {
    client.close();
    await(vertx.close());
  }

  private int get(String path, String subject) {
    var request = client.get(path);
    if (subject != null) {
      request.putHeader("X-Test-Subject", subject);
    }
    return await(request.send()).statusCode();
  }

  @Test
  void eachSubjectHasItsOwnBudgetWhateverItsAddress() {
    assertThat(get("/x", "alice")).isEqualTo(200);
    assertThat(get("/x", "alice")).isEqualTo(429);
    assertThat(get("/x", "bob")).isEqualTo(200);
    assertThat(get("/x", null)).as("the IP's budget is apart from the subjects'").isEqualTo(200);
    assertThat(get("/x", null)).isEqualTo(429);
  }

  @Test
  void theAnonymousSubjectCountsByClientIp() {
    assertThat(get("/x", null)).isEqualTo(200);
    assertThat(get("/x", "anonymous")).as("security disabled: same client, same IP budget").isEqualTo(429);
  }

  @Test
  void probesAreExempt() {
    assertThat(RateLimitHandler.isExempt("/health")).isTrue();
    assertThat(RateLimitHandler.isExempt("/health/")).isTrue();
    assertThat(RateLimitHandler.isExempt("/metrics")).isTrue();
    assertThat(RateLimitHandler.isExempt("/api/v1/info")).isTrue();
    assertThat(RateLimitHandler.isExempt("/api/v1/stats")).isFalse();
    assertThat(RateLimitHandler.isExempt("/healthz")).isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(get("/health", "alice")).isEqualTo(200);
    }
  }

  @Test
  void clientTextInAnAuditLineCannotForgeLines() {
    assertThat(SecurityAudit.clean("a\nb\rc d")).isEqualTo("a_b_c_d");
    assertThat(SecurityAudit.clean(null)).isEqualTo("-");
    assertThat(SecurityAudit.clean("x".repeat(300))).hasSize(203);
  }
}
