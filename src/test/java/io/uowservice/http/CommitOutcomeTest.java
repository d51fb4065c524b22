package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A commit whose answer does not come in time is reported as of unknown outcome, and the unit tells it later")
class CommitOutcomeTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    // the database would wait 30 s for a lock; the commit's own deadline is 1 s: callers give up at 11 s
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_DATABASE__MYSQL__LOCK_WAIT_TIMEOUT", "30s",
        "UOW_UNIT_OF_WORK__COMMIT_TIMEOUT", "1s",
        "UOW_UNIT_OF_WORK__COMMIT_RETRIES", "0"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aCommitStuckPastItsReplyTimeoutIsUnknownThenRolledBackAtItsDeadline(Vertx vertx) throws Exception {
    String p = "slow-p-" + UUID.randomUUID();
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "product").put("id", p).put("name", p)
            .put("attributes", new JsonObject().put("sku", p).put("price", "1.00").put("stock", 10))))).status())
        .isEqualTo(200);
    String unit = service.post("/api/v1/units-of-work").json().getString("id");
    service.post("/api/v1/units-of-work/" + unit + "/entities/dirty", new JsonObject().put("entity_id", p)
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 1))));
    MySQLConnection holder = ServiceHarness.await(MySQLConnection.connect(vertx, service.database().connectOptions()));
    Response commit;
    JsonObject during;
    try {
      ServiceHarness.await(holder.query("BEGIN").execute()
          .compose(v -> holder.preparedQuery("SELECT id FROM products WHERE id = ? FOR UPDATE").execute(Tuple.of(p))));

      commit = service.post("/api/v1/units-of-work/" + unit + "/commit");
      during = service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("last_commit");
    } finally {
      ServiceHarness.await(holder.query("ROLLBACK").execute());
      holder.close();
    }

    assertThat(commit.status()).as(commit.toString()).isEqualTo(504);
    assertThat(commit.json().getString("type")).endsWith("/commit-outcome-unknown");
    assertThat(during.getString("status")).isEqualTo("committing");
    JsonObject after = null;
    for (int i = 0; i < 100; i++) {
      after = service.get("/api/v1/units-of-work/" + unit).json().getJsonObject("last_commit");
      if (!"committing".equals(after.getString("status"))) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(after.getString("status")).as("past its deadline the commit rolled back before COMMIT")
        .isEqualTo("failed");
    assertThat(after.getJsonObject("problem").getInteger("status")).isEqualTo(503);
    assertThat(service.query("SELECT stock FROM products WHERE id = '" + p + "'").get(0).getLong(0)).isEqualTo(10);
  }
}
