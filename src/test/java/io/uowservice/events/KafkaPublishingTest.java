package io.uowservice.events;

import static io.uowservice.events.Commits.awaitUntil;
import static io.uowservice.events.Commits.commit;
import static io.uowservice.events.Commits.commitNewEntities;
import static io.uowservice.events.Commits.newUnit;
import static io.uowservice.events.Commits.register;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.events.Commits.unsent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestKafka;
import io.uowservice.testsupport.TopicReader;
import io.uowservice.testsupport.TopicReader.Received;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Events: the outbox relay publishes every committed event to a real Kafka broker")
class KafkaPublishingTest {

  private static final Duration WAIT = Duration.ofSeconds(120);

  private static ServiceHarness service;
  private static TestKafka.Broker broker;
  private static String topic;

  @BeforeAll
  static void start(Vertx vertx) {
    broker = TestKafka.broker();
    topic = unique("uow-events");
    TestKafka.createTopic(topic, 3);
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_MESSAGE_QUEUE__ENABLED", "true",
        "UOW_MESSAGE_QUEUE__BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "UOW_MESSAGE_QUEUE__TOPICS", topic,
        "UOW_MESSAGE_QUEUE__RELAY_LEASE", "6s",
        "UOW_MESSAGE_QUEUE__RELAY_MAX_BACKOFF", "1s"));
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void everyCommittedEventReachesTheTopicKeyedByEntityId() {
    String userId = unique("u");
    String productId = unique("p");
    String first = newUnit(service);
    register(service, first, "new", new JsonObject().put("type", "user").put("id", userId).put("name", "Alice")
        .put("attributes", new JsonObject().put("email", userId + "@example.com")));
    register(service, first, "new", new JsonObject().put("type", "product").put("id", productId).put("name", "Widget")
        .put("attributes", new JsonObject().put("sku", productId).put("price", "12.50").put("stock", 10)));
    commit(service, first);
    String second = newUnit(service);
    register(service, second, "dirty", new JsonObject().put("entity_id", productId)
        .put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 9))).put("expected_version", 1));
    commit(service, second);

    Map<String, String> outbox = service.query("SELECT event_id, payload FROM outbox WHERE JSON_VALUE(payload, "
            + "'$.unit_of_work_id') IN ('" + first + "', '" + second + "')").stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
    assertThat(outbox).hasSize(5); // created user, created product, committed; updated product, committed

    try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
      awaitUntil("the five events on the topic", WAIT, () -> {
        reader.pollOnce(Duration.ofMillis(200));
        return reader.distinct().stream().filter(r -> outbox.containsKey(r.eventId())).count() == 5;
      });
      List<Received> ours = reader.distinct().stream().filter(r -> outbox.containsKey(r.eventId())).toList();
      assertThat(ours).hasSize(5);
      for (Received r : ours) {
        assertThat(r.value()).isEqualTo(new JsonObject(outbox.get(r.eventId())));
        String expectedKey = r.value().getString("entity_id") != null ? r.value().getString("entity_id")
            : r.value().getString("unit_of_work_id");
        assertThat(r.key()).isEqualTo(expectedKey);
      }
      List<Received> product = ours.stream().filter(r -> productId.equals(r.key())).toList();
      assertThat(product).extracting(r -> r.value().getString("type"))
          .containsExactly(DomainEvents.ENTITY_CREATED, DomainEvents.ENTITY_UPDATED);
      assertThat(product).extracting(r -> r.value().getLong("version")).containsExactly(1L, 2L);
      assertThat(product.get(1).value().getJsonObject("data").getJsonObject("attributes").getInteger("stock"))
          .isEqualTo(9);
      assertThat(product.get(0).partition()).isEqualTo(product.get(1).partition()); // one entity, one partition, in order
      assertThat(ours).filteredOn(r -> r.value().getString("type").equals(DomainEvents.UNIT_COMMITTED))
          .extracting(Received::key).containsExactlyInAnyOrder(first, second);
    }
    awaitUntil("the relay to mark its rows sent", WAIT, () -> unsent(service) == 0);
  }

  @Test
  void aRollbackWritesUnitOfWorkRolledBack() {
    String unit = newUnit(service);
    register(service, unit, "new", io.uowservice.testsupport.Units.custom(unique("c")));
    assertThat(service.post("/api/v1/units-of-work/" + unit + "/rollback").status()).isEqualTo(200);

    var rows = service.query("SELECT event_id, event_key, event_type FROM outbox WHERE event_key = '" + unit + "'");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString(2)).isEqualTo(DomainEvents.UNIT_ROLLED_BACK);
    String eventId = rows.get(0).getString(0);
    try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
      awaitUntil("the rolled_back event on the topic", WAIT, () -> {
        reader.pollOnce(Duration.ofMillis(200));
        return reader.distinct().stream().anyMatch(r -> r.eventId().equals(eventId));
      });
      Received r = reader.distinct().stream().filter(x -> x.eventId().equals(eventId)).findFirst().orElseThrow();
      assertThat(r.key()).isEqualTo(unit);
      assertThat(r.value().getString("type")).isEqualTo(DomainEvents.UNIT_ROLLED_BACK);
      assertThat(r.value().getJsonObject("data").getJsonObject("discarded").getInteger("new")).isEqualTo(1);
    }
  }

  @Test
  void eventsCommittedWhileKafkaIsDownArriveAfterItReturns() {
    assumeTrue(broker.canStop(), "the broker named by " + TestKafka.ENV_VAR + " cannot be stopped by the tests");
    awaitUntil("earlier events to be sent", WAIT, () -> unsent(service) == 0);
    broker.stop();
    Set<String> committedWhileDown;
    try {
      for (int i = 0; i < 100; i++) {
        commitNewEntities(service, 1);
      }
      // nothing can have left: 100 units x (entity.created + unit_of_work.committed)
      committedWhileDown = new HashSet<>(Commits.unsentEventIds(service));
      assertThat(committedWhileDown).hasSize(200);
    } finally {
      broker.start();
    }
    try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
      awaitUntil("all 200 events on the topic", WAIT, () -> {
        reader.pollOnce(Duration.ofMillis(200));
        return reader.distinct().stream().filter(r -> committedWhileDown.contains(r.eventId())).count() == 200;
      });
      long copies = reader.records().stream().filter(r -> committedWhileDown.contains(r.eventId())).count();
      System.out.printf("[events] broker outage: 200 events committed while Kafka was down, 200 distinct arrived, "
          + "%d duplicate(s) dropped by event_id%n", copies - 200);
    }
    awaitUntil("the relay to mark its rows sent", WAIT, () -> unsent(service) == 0);
  }
}
