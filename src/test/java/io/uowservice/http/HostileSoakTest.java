package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.bench.SoakBenchmark;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A bounded soak of hostile traffic: no 5xx for client mistakes, healthy afterwards (figures: BENCHMARKS.md)")
class HostileSoakTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_HTTP__READ_TIMEOUT", "3s",
        "UOW_UNIT_OF_WORK__MAX_NODE_BYTES", "134217728"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void hostileTrafficGetsOnlyProblemsAClientCanActOnAndTheServiceStaysUp() {
    SoakBenchmark.Outcome outcome = SoakBenchmark.soak(URI.create("http://127.0.0.1:" + service.config().http().port()),
        5, 20, 6);

    System.out.printf("[soak] bystander p99 quiet %.2f ms, under attack %.2f ms; statuses %s%n", outcome.quietP99Ms(),
        outcome.loudP99Ms(), outcome.statuses());
    assertThat(outcome.defects()).as("5xx (but 503) for a client mistake, or a failed bystander read").isEmpty();
    assertThat(outcome.healthStatus()).isEqualTo(200);
    assertThat(outcome.statuses()).containsKeys("400", "422");
  }
}
