package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("max_repositories holds when registrations race for the last place")
class RepositoryLimitTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_UNIT_OF_WORK__MAX_REPOSITORIES", "1"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void concurrentRegistrationsNeverPassTheLimit(Vertx vertx) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.config().http().port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(client.post("/api/v1/repositories/").sendJsonObject(new JsonObject().put("entity_type", "racer_" + i)
          .put("name", "Racer " + i)).map(r -> r.statusCode()));
    }
    ServiceHarness.await(Future.join(calls).otherwiseEmpty());

    assertThat(calls).extracting(f -> f.result()).filteredOn(s -> s == 201).hasSize(1);
    assertThat(calls).extracting(f -> f.result()).filteredOn(s -> s != 201).isSubsetOf(422, 503);
    assertThat(service.count("entity_types")).isEqualTo(1);
  }
}
