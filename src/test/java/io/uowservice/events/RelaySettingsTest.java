package io.uowservice.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigLoader;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Relay settings: message_queue.* keys and the producer they give")
class RelaySettingsTest {

  private static AppConfig load(Vertx vertx, Map<String, String> env) {
    return ServiceHarness.await(ConfigLoader.load(vertx, null, env));
  }

  @Test
  void defaultsAreKafkaOffAndAHalfMinuteLease(Vertx vertx) {
    AppConfig.MessageQueue mq = load(vertx, Map.of()).messageQueue();
    assertThat(mq.enabled()).isFalse();
    assertThat(mq.topic()).isEqualTo("unit-of-work-events");
    assertThat(mq.relayBatchSize()).isEqualTo(500);
    assertThat(mq.relayPollInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(mq.relayLease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mq.relayMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mq.outboxRetention()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void environmentOverridesAndBadValuesNameTheirKeys(Vertx vertx) {
    AppConfig.MessageQueue mq = load(vertx, Map.of("UOW_MESSAGE_QUEUE__RELAY_BATCH_SIZE", "50",
        "UOW_MESSAGE_QUEUE__OUTBOX_RETENTION", "7d")).messageQueue();
    assertThat(mq.relayBatchSize()).isEqualTo(50);
    assertThat(mq.outboxRetention()).isEqualTo(Duration.ofDays(7));
    assertThatThrownBy(() -> load(vertx, Map.of("UOW_MESSAGE_QUEUE__RELAY_BATCH_SIZE", "0")))
        .hasMessageContaining("message_queue.relay_batch_size");
    assertThatThrownBy(() -> load(vertx, Map.of("UOW_MESSAGE_QUEUE__RELAY_LEASE", "100ms")))
        .hasMessageContaining("message_queue.relay_lease");
  }

  @Test
  void theProducerWaitsForAllReplicasIsIdempotentAndGivesUpBeforeTheLeaseEnds(Vertx vertx) {
    AppConfig.MessageQueue mq = load(vertx, Map.of("UOW_MESSAGE_QUEUE__RELAY_LEASE", "6s")).messageQueue();
    Map<String, String> producer = KafkaSettings.producer(mq, "r1");
    assertThat(producer).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    long delivery = Long.parseLong(producer.get("delivery.timeout.ms"));
    assertThat(delivery).isLessThan(mq.relayLease().toMillis())
        .isGreaterThanOrEqualTo(Long.parseLong(producer.get("request.timeout.ms")) + Long.parseLong(producer.get("linger.ms")));
  }
}
