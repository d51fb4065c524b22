package io.uowservice.testsupport;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TestRedis provisions a real Redis for the test suite")
class TestRedisTest {

  private static final String ENV_URL = System.getenv(TestRedis.ENV_VAR);

  @Test
  @DisplayName("server() uses UOW_TEST_REDIS_URL when set, else Testcontainers when Docker answers, else the embedded Redis")
  void serverResolutionOrder() {
    TestRedis.Server server = TestRedis.server();
    if (ENV_URL != null && !ENV_URL.isBlank()) {
      assertThat(server.source()).isEqualTo("env");
      assertThat(server.url()).isEqualTo(ENV_URL.trim());
    } else if (!TestDatabases.isDockerAvailable()) {
      assertThat(server).isEqualTo(TestRedis.embeddedServer());
    } else {
      assertThat(server.source()).isEqualTo("testcontainers");
    }
  }

  @Test
  @DisplayName("the embedded Redis is a real server: it runs Lua scripts and expires keys")
  void embeddedRedisRunsScripts() {
    Vertx vertx = Vertx.vertx();
    try {
      RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestRedis.embeddedServer().url()));
      String key = TestRedis.uniqueKeyPrefix() + "probe";
      assertThat(await(redis.eval(List.of("redis.call('SET', KEYS[1], 'v', 'PX', 60000) return redis.call('PTTL', KEYS[1])",
          "1", key))).toLong()).isBetween(1L, 60_000L);
      assertThat(await(redis.get(key)).toString()).isEqualTo("v");
      redis.close();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("key prefixes are unique per call")
  void uniqueKeyPrefixes() {
    assertThat(TestRedis.uniqueKeyPrefix()).matches("uow-test:[0-9a-f]{8}:").isNotEqualTo(TestRedis.uniqueKeyPrefix());
  }
}
