package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A COMMIT whose answer is lost: reported unknown, then resolved from the database")
class LostCommitAnswerTest {

  private static ServiceHarness service;
  private static NetServer proxy;
  /** Armed: the next connection that sends COMMIT gets nothing back from the database afterwards. */
  private static final AtomicBoolean swallowNextCommitAnswer = new AtomicBoolean();

  @BeforeAll
  static void start(Vertx vertx) {
    TestDatabases.Server db = TestDatabases.server();
    proxy = ServiceHarness.await(vertx.createNetServer().connectHandler(client -> relay(vertx, client, db)).listen(0,
        "127.0.0.1"));
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_DATABASE__MYSQL__HOST", "127.0.0.1",
        "UOW_DATABASE__MYSQL__PORT", String.valueOf(proxy.actualPort()),
        // a connection reading nothing for 1 + 3 + 10 s is closed: then the commit's outcome is unknown
        "UOW_DATABASE__MYSQL__LOCK_WAIT_TIMEOUT", "1s",
        "UOW_DATABASE__MYSQL__STATEMENT_TIMEOUT", "3s",
        "UOW_UNIT_OF_WORK__COMMIT_TIMEOUT", "30s"));
  }

  @AfterAll
  static void stop() {
    service.close();
    ServiceHarness.await(proxy.close());
  }

  /** A TCP relay to the database that, once armed, forwards a COMMIT and drops everything the server answers. */
  private static void relay(Vertx vertx, NetSocket client, TestDatabases.Server db) {
    client.pause();
    vertx.createNetClient().connect(db.port(), db.host()).onSuccess(server -> {
      AtomicBoolean deaf = new AtomicBoolean();
      client.handler(data -> {
        // the COMMIT statement itself (COM_QUERY 0x03), not a session setting's "READ COMMITTED"
        if (data.toString(StandardCharsets.ISO_8859_1).contains("\u0003COMMIT") && swallowNextCommitAnswer.compareAndSet(true,
            false)) {
          deaf.set(true);
        }
        server.write(data);
      });
      server.handler(data -> {
        if (!deaf.get()) {
          client.write(data);
        }
      });
      client.closeHandler(v -> server.close());
      server.closeHandler(v -> client.close());
      client.resume();
    }).onFailure(err -> client.close());
  }

  @Test
  void theClientHearsUnknownAndTheSummaryLaterTellsItCommitted() throws InterruptedException {
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    String id = "lost-" + UUID.randomUUID();
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/entities/new",
        new JsonObject().put("id", id).put("name", "n")).status()).isEqualTo(201);
    swallowNextCommitAnswer.set(true);

    Response commit = service.post("/api/v1/units-of-work/" + unit + "/commit");

    assertThat(commit.status()).as(commit.toString()).isEqualTo(504);
    assertThat(commit.json().getString("type")).endsWith("/commit-outcome-unknown");
    JsonObject last = null;
    for (int i = 0; i < 200; i++) {
      last = service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("last_commit");
      if (!"unknown".equals(last.getString("status"))) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(last.getString("status")).as(last.encode()).isEqualTo("committed");
    assertThat(last.getBoolean("resolved")).isTrue();
    assertThat(service.get("/api/v1/entities/custom/" + id).status()).isEqualTo(200);
    assertThat(service.get("/api/v1/units-of-work/" + unit).json().getInteger("size")).isZero();
  }
}
