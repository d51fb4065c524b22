package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Large transactions load in batches: three of 10,000 operations do not starve other clients")
class LargeTransactionFairnessTest {

  private static final int OPERATIONS = 10_000;
  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_DATABASE__MYSQL__POOL_SIZE", "4"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void threeTransactionsOfTenThousandCleanOperationsLeaveOtherReadsServed(Vertx vertx) {
    String prefix = "bulk-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    JsonArray create = new JsonArray();
    for (int i = 0; i < OPERATIONS; i++) {
      create.add(new JsonObject().put("op", "new").put("type", "custom").put("id", prefix + i).put("name", "n"));
    }
    assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", create)).status()).isEqualTo(200);
    String probe = prefix + "7";
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.config().http().port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));

    List<Future<Integer>> heavy = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      JsonArray ops = new JsonArray();
      for (int i = 0; i < OPERATIONS; i++) {
        // half with a type, half to be located by id alone
        JsonObject op = new JsonObject().put("op", "clean").put("id", prefix + i);
        ops.add(i % 2 == 0 ? op.put("type", "custom") : op);
      }
      Buffer body = Buffer.buffer(new JsonObject().put("operations", ops).encode());
      heavy.add(client.post("/api/v1/transactions").putHeader("Content-Type", "application/json").sendBuffer(body)
          .map(r -> r.statusCode()));
    }
    List<Future<Integer>> reads = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      reads.add(client.get("/api/v1/entities/custom/" + probe).send().map(r -> r.statusCode()));
    }
    ServiceHarness.await(Future.join(heavy).otherwiseEmpty());
    ServiceHarness.await(Future.join(reads).otherwiseEmpty());

    assertThat(heavy).extracting(f -> f.succeeded() ? f.result() : -1).containsOnly(200);
    assertThat(reads).extracting(f -> f.succeeded() ? f.result() : -1).as("every other read served").containsOnly(200);
    Response summary = service.get("/api/v1/stats");
    assertThat(summary.status()).isEqualTo(200);
  }
}
