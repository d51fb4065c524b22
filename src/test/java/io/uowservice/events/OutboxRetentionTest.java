package io.uowservice.events;

import static io.uowservice.events.Commits.awaitUntil;
import static io.uowservice.events.Commits.commitNewEntities;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.events.Commits.unsent;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Outbox retention: sent rows are deleted once older than message_queue.outbox_retention")
class OutboxRetentionTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    String topic = unique("uow-retention");
    TestKafka.createTopic(topic, 1);
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_MESSAGE_QUEUE__ENABLED", "true",
        "UOW_MESSAGE_QUEUE__BOOTSTRAP_SERVERS", TestKafka.broker().bootstrapServers(),
        "UOW_MESSAGE_QUEUE__TOPICS", topic,
        "UOW_MESSAGE_QUEUE__OUTBOX_RETENTION", "3s"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void sentRowsArePurgedAfterTheRetention() {
    commitNewEntities(service, 3);
    assertThat(service.count("outbox")).isEqualTo(4);
    awaitUntil("the rows to be sent", Duration.ofSeconds(60), () -> unsent(service) == 0);
    awaitUntil("the sent rows to be purged", Duration.ofSeconds(60), () -> service.count("outbox") == 0);
  }
}
