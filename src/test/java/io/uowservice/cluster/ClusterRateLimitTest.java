package io.uowservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestCluster;
import io.uowservice.testsupport.TestRedis;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Clustered mode: one rate limit for the whole cluster, counted in Redis")
class ClusterRateLimitTest {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, Map.of(
        "UOW_CACHE__TYPE", "redis",
        "UOW_CACHE__REDIS__URL", TestRedis.server().url(),
        "UOW_CACHE__REDIS__KEY_PREFIX", TestRedis.uniqueKeyPrefix(),
        "UOW_SECURITY__RATE_LIMIT_REQUESTS", "12",
        "UOW_SECURITY__RATE_LIMIT_WINDOW", "60s"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aClientSpreadOverBothNodesGetsTheLimitOnceNotOncePerNode() {
    int ok = 0;
    int denied = 0;
    for (int i = 0; i < 20; i++) {
      Response r = cluster.service(i % 2).get("/api/v1/repositories/");
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.status()).isEqualTo(429);
        denied++;
      }
    }
    assertThat(ok).isEqualTo(12);
    assertThat(denied).isEqualTo(8);
  }
}
