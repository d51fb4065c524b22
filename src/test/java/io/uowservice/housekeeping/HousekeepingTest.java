package io.uowservice.housekeeping;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Housekeeping: rows that only grow are deleted at the rate they are written")
class HousekeepingTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_MESSAGE_QUEUE__ENABLED", "false",
        "UOW_MESSAGE_QUEUE__OUTBOX_RETENTION", "2s"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static void awaitUntil(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 300 && !done.getAsBoolean(); i++) {
      Thread.sleep(100);
    }
    assertThat(done.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void withKafkaDisabledTheOutboxKeepsOnlyItsRetention() throws InterruptedException {
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("name", "kept a while")))).status()).isEqualTo(200);
    assertThat(service.count("outbox")).isPositive();

    awaitUntil("unpublished rows older than the retention are deleted", () -> service.count("outbox") == 0);
  }

  @Test
  void expiredIdempotencyRecordsAreDeletedFasterThanOneChunkAPass() throws InterruptedException {
    // more expired records than one purge statement deletes: a pass must drain them all
    service.query("INSERT INTO idempotency_keys (subject, idem_key, request_hash, status, response, created_at, "
        + "expires_at) SELECT 'old', CONCAT('k', seq), REPEAT('0', 64), 200, '{}', UTC_TIMESTAMP(6) - INTERVAL 2 DAY, "
        + "UTC_TIMESTAMP(6) - INTERVAL 1 DAY FROM seq_1_to_12000");
    service.query("INSERT INTO idempotency_keys (subject, idem_key, request_hash, status, response, created_at, "
        + "expires_at) VALUES ('live', 'k', REPEAT('0', 64), 200, '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY)");
    assertThat(service.count("idempotency_keys")).isEqualTo(12_001);

    awaitUntil("every expired record is gone", () -> service.count("idempotency_keys") == 1);
    assertThat(service.query("SELECT subject FROM idempotency_keys").get(0).getString(0)).isEqualTo("live");
  }
}
