package io.uowservice.security;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate limiting with Redis (cache.type redis): one limit for every node")
class SharedRedisRateLimitTest {

  private final List<Vertx> nodes = new ArrayList<>();
  private final List<ServiceHarness> services = new ArrayList<>();

  @AfterEach
  void stop() {
    services.forEach(ServiceHarness::close);
    nodes.forEach(node -> await(node.close()));
  }

  /** One service node: its own Vert.x instance (so no memory is shared), port and database. */
  private ServiceHarness node(String redisUrl, String keyPrefix, int limit) {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    ServiceHarness service = ServiceHarness.start(vertx, Map.of(
        "UOW_CACHE__TYPE", "redis",
        "UOW_CACHE__REDIS__URL", redisUrl,
        "UOW_CACHE__REDIS__KEY_PREFIX", keyPrefix,
        "UOW_SECURITY__RATE_LIMIT_REQUESTS", String.valueOf(limit),
        "UOW_SECURITY__RATE_LIMIT_WINDOW", "60s"));
    services.add(service);
    return service;
  }

  @Test
  void theLimitHoldsAcrossTwoInstancesSharingRedis() {
    String keySpace = TestRedis.uniqueKeyPrefix(); // reruns never see this run's counters
    ServiceHarness a = node(TestRedis.server().url(), keySpace, 5);
    ServiceHarness b = node(TestRedis.server().url(), keySpace, 5);

    List<String> remaining = new ArrayList<>();
    int[] ok = new int[2];
    int[] denied = new int[2];
    for (int i = 0; i < 10; i++) {
      int node = i % 2;
      Response response = (node == 0 ? a : b).get("/api/v1/repositories/");
      if (response.status() == 200) {
        ok[node]++;
      } else {
        assertThat(response.status()).isEqualTo(429);
        assertThat(response.header("Retry-After")).isNotNull();
        denied[node]++;
      }
      remaining.add(response.header("RateLimit-Remaining"));
    }

    assertThat(ok[0] + ok[1]).as("200s across both nodes").isEqualTo(5);
    assertThat(denied[0] + denied[1]).as("429s across both nodes").isEqualTo(5);
    assertThat(ok).containsExactly(3, 2);
    assertThat(denied).containsExactly(2, 3);
    assertThat(remaining).containsExactly("4", "3", "2", "1", "0", "0", "0", "0", "0", "0");
  }

  @Test
  void redisDownFailsOpen() {
    ServiceHarness service = node(TestRedis.closedUrl(), TestRedis.uniqueKeyPrefix(), 1);

    for (int i = 0; i < 5; i++) {
      Response response = service.get("/api/v1/repositories/");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("RateLimit-Limit")).as("no counts to report").isNull();
    }
    JsonObject limiter = service.get("/api/v1/stats").json().getJsonObject("rate_limiter");
    assertThat(limiter.getString("store")).isEqualTo("redis");
    assertThat(limiter.getLong("fail_open")).isEqualTo(6); // the five requests and the stats request itself
  }
}
