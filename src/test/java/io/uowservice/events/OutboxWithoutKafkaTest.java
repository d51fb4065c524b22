package io.uowservice.events;

import static io.uowservice.events.Commits.awaitUntil;
import static io.uowservice.events.Commits.commit;
import static io.uowservice.events.Commits.commitNewEntities;
import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.events.Commits.newUnit;
import static io.uowservice.events.Commits.register;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.events.Commits.unsent;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.bus.Addresses;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestKafka;
import io.uowservice.testsupport.TopicReader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Outbox: filled by every commit with Kafka off; a relay deployed later publishes it all")
class OutboxWithoutKafkaTest {

  private static final Duration WAIT = Duration.ofSeconds(120);

  private static Vertx vertx;
  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    service = ServiceHarness.start(vertx, Map.of("UOW_MESSAGE_QUEUE__ENABLED", "false"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void outboxFillsWithKafkaDisabled() {
    List<JsonObject> live = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.EVENTS, m -> live.add(m.body()));
    ServiceHarness.await(consumer.completion());
    try {
      String unit = newUnit(service);
      register(service, unit, "new", custom(unique("a")));
      register(service, unit, "new", custom(unique("b")));
      commit(service, unit);

      var rows = service.query("SELECT event_id, event_type, sent_at, payload FROM outbox WHERE JSON_VALUE(payload, "
          + "'$.unit_of_work_id') = '" + unit + "' ORDER BY seq");
      assertThat(rows).extracting(r -> r.getString(1)).containsExactly(DomainEvents.ENTITY_CREATED,
          DomainEvents.ENTITY_CREATED, DomainEvents.UNIT_COMMITTED);
      assertThat(rows).allSatisfy(r -> assertThat(r.getValue(2)).isNull()); // no relay: nothing sent

      // the live updates carry the very events the outbox holds
      awaitUntil("three live events", WAIT, () -> live.stream().filter(e -> unit.equals(e.getString("unit_of_work_id")))
          .count() == 3);
      assertThat(live).filteredOn(e -> unit.equals(e.getString("unit_of_work_id")))
          .containsExactlyElementsOf(rows.stream().map(r -> new JsonObject(r.getString(3))).toList());
    } finally {
      ServiceHarness.await(consumer.unregister());
    }
  }

  @Test
  void aFailedCommitWritesNoEvent() {
    String taken = unique("dup");
    String a = newUnit(service);
    register(service, a, "new", custom(taken));
    commit(service, a);
    long afterFirst = service.count("outbox");
    String b = newUnit(service);
    register(service, b, "new", custom(taken));
    assertThat(service.post("/api/v1/units-of-work/" + b + "/commit").status()).isEqualTo(409);
    assertThat(service.count("outbox")).isEqualTo(afterFirst); // rolled back with the data
  }

  @Test
  void redeployingTheRelayMidBatchLosesNoEvent() {
    String topic = unique("uow-relay");
    TestKafka.createTopic(topic, 3);
    Set<String> expected = fillOutbox();
    DeploymentOptions options = relayOptions(topic, new JsonObject().put("relay_batch_size", 20).put("relay_lease", "2s"));

    // the relay claims its first batch while it starts: undeploying it at once stops it mid-batch
    String first = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new, options));
    ServiceHarness.await(vertx.undeploy(first));
    // that claim was sent to the database before the deployment completed; it commits in its own time
    awaitUntil("the stopped relay's claim to commit", WAIT, () -> claimedUnsent() > 0);
    long left = unsent(service);
    long claimed = claimedUnsent();

    String second = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new, options));
    try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
      awaitAllOnTopic(reader, expected);
      System.out.printf("[events] relay redeployed mid-drain: %d events, %d unsent at undeploy (%d claimed by the "
              + "stopped relay), all %d arrived, %d duplicate(s) dropped by event_id%n", expected.size(), left, claimed,
          expected.size(), reader.duplicates());
    }
    awaitUntil("every row marked sent", WAIT, () -> unsent(service) == 0);
    ServiceHarness.await(vertx.undeploy(second));
  }

  @Test
  void twoRelaysOnOneOutboxClaimEveryRowExactlyOnce() {
    String topic = unique("uow-two-relays");
    TestKafka.createTopic(topic, 3);
    Set<String> expected = fillOutbox();
    // two instances on two event loops, sharing nothing but the database: two nodes' relays
    String relays = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new,
        relayOptions(topic, new JsonObject().put("relay_batch_size", 10)).setInstances(2)));
    try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
      awaitAllOnTopic(reader, expected);
      awaitUntil("every row marked sent", WAIT, () -> unsent(service) == 0);
      var claims = service.query("SELECT event_id, attempts FROM outbox");
      assertThat(claims).filteredOn(r -> expected.contains(r.getString(0)))
          .hasSize(expected.size())
          .allSatisfy(r -> assertThat(r.getInteger(1)).as("claims of %s", r.getString(0)).isEqualTo(1));
      assertThat(reader.duplicates()).isZero();
    } finally {
      ServiceHarness.await(vertx.undeploy(relays));
    }
  }

  @Test
  void aRelayDoesNotOvertakeAnotherRelaysClaimOnTheSameEntityAndTakesItOverWhenTheLeaseEnds() {
    String topic = unique("uow-lease");
    TestKafka.createTopic(topic, 1);
    Row first = Row.of(unique("x"));
    Row second = Row.of(first.key());
    Row unrelated = Row.of(unique("y"));
    insert(first, second, unrelated);
    // the earlier event of the entity is held by a relay on another node, under a live lease
    service.query("UPDATE outbox SET claimed_by = 'relay-elsewhere', claimed_until = DATE_ADD(UTC_TIMESTAMP(6), "
        + "INTERVAL 1 HOUR) WHERE event_id = '" + first.eventId() + "'");

    String relay = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new,
        relayOptions(topic, new JsonObject().put("relay_poll_interval", "100ms"))));
    try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
      awaitOnTopic(reader, unrelated);
      assertThat(sentAt(second)).as("the later event waits for the earlier one's lease").isNull();

      // the other relay died: its lease runs out, this relay publishes both, in order
      service.query("UPDATE outbox SET claimed_until = DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND) "
          + "WHERE event_id = '" + first.eventId() + "'");
      awaitOnTopic(reader, second);
      assertThat(reader.distinct()).filteredOn(r -> first.key().equals(r.key()))
          .extracting(TopicReader.Received::eventId).containsExactly(first.eventId(), second.eventId());
    } finally {
      ServiceHarness.await(vertx.undeploy(relay));
      delete(first, second);
    }
  }

  @Test
  void anEventKafkaRefusesHoldsBackOnlyItsOwnEntitysLaterEvents() {
    String topic = unique("uow-refused");
    TestKafka.createTopic(topic, 1);
    String entity = unique("big");
    // larger than the broker's default message.max.bytes (1 MiB): Kafka refuses it, every time
    Row refused = new Row(java.util.UUID.randomUUID().toString(), entity, "x".repeat(1_200_000));
    Row later = Row.of(entity);
    Row unrelated = Row.of(unique("small"));
    insert(refused, later, unrelated);
    String relay = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new,
        relayOptions(topic, new JsonObject().put("relay_max_backoff", "1s"))));
    try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
      awaitUntil("the refused event to be dead-lettered", WAIT, () -> service.query("SELECT dead_lettered_at FROM "
          + "outbox WHERE event_id = '" + refused.eventId() + "'").get(0).getValue(0) != null);
      awaitOnTopic(reader, unrelated);
      assertThat(sentAt(refused)).isNull();
      assertThat(sentAt(later)).as("waits behind its entity's refused event").isNull();
      assertThat(service.query("SELECT attempts FROM outbox WHERE event_id = '" + refused.eventId() + "'").get(0)
          .getInteger(0)).as("set aside, not resent every cycle").isEqualTo(1);
      io.vertx.core.json.JsonArray letters = service.get("/api/v1/outbox/dead-letters").json().getJsonArray("items");
      io.vertx.core.json.JsonObject letter = letters.stream().map(o -> (io.vertx.core.json.JsonObject) o)
          .filter(l -> refused.eventId().equals(l.getString("event_id"))).findFirst().orElseThrow();
      assertThat(letter.getString("reason")).contains("RecordTooLarge");
      assertThat(service.get("/metrics").raw().bodyAsString()).contains("uow_outbox_dead_letters");

      // an admin retries it: refused again, set aside again
      assertThat(service.post("/api/v1/outbox/dead-letters/" + letter.getLong("seq") + "/retry").status())
          .isEqualTo(200);
      awaitUntil("the retried event to be refused again", WAIT, () -> service.query("SELECT attempts FROM outbox "
          + "WHERE event_id = '" + refused.eventId() + "'").get(0).getInteger(0) == 2);
      assertThat(service.post("/api/v1/outbox/dead-letters/999999999/retry").status()).isEqualTo(404);

      // an operator removes the refused row: the entity's stream moves on
      delete(refused);
      awaitOnTopic(reader, later);
    } finally {
      ServiceHarness.await(vertx.undeploy(relay));
      delete(refused, later);
    }
  }

  @Test
  void aHotEntitysBacklogDrainsInOrderInAFewBatchesNotOneEventACycle() {
    String topic = unique("uow-hot");
    TestKafka.createTopic(topic, 1);
    String hot = unique("hot");
    Row[] backlog = new Row[300];
    for (int i = 0; i < backlog.length; i++) {
      backlog[i] = Row.of(hot);
    }
    insert(backlog);
    long started = System.nanoTime();
    String relay = ServiceHarness.await(vertx.deployVerticle(OutboxRelayVerticle::new,
        relayOptions(topic, new JsonObject().put("relay_poll_interval", "1s"))));
    try (TopicReader reader = new TopicReader(TestKafka.broker().bootstrapServers(), topic)) {
      awaitOnTopic(reader, backlog[backlog.length - 1]);
      assertThat(reader.distinct()).filteredOn(r -> hot.equals(r.key())).extracting(TopicReader.Received::eventId)
          .containsExactly(java.util.Arrays.stream(backlog).map(Row::eventId).toArray(String[]::new));
      System.out.printf("[relay] a backlog of %d events of one entity published in %d ms%n", backlog.length,
          (System.nanoTime() - started) / 1_000_000);
    } finally {
      ServiceHarness.await(vertx.undeploy(relay));
      delete(backlog);
    }
  }

  /** An outbox row written by hand; {@code filler} pads its payload. */
  private record Row(String eventId, String key, String filler) {
    static Row of(String key) {
      return new Row(java.util.UUID.randomUUID().toString(), key, "");
    }

    String payload() {
      return new JsonObject().put("event_id", eventId).put("type", "entity.updated").put("entity_id", key)
          .put("data", filler).encode();
    }
  }

  private static void insert(Row... rows) {
    StringBuilder sql = new StringBuilder("INSERT INTO outbox (event_id, event_key, event_type, payload, created_at) VALUES ");
    for (int i = 0; i < rows.length; i++) {
      sql.append(i == 0 ? "" : ", ").append("('").append(rows[i].eventId()).append("', '").append(rows[i].key())
          .append("', 'entity.updated', '").append(rows[i].payload()).append("', UTC_TIMESTAMP(6))");
    }
    service.query(sql.toString());
  }

  private static void delete(Row... rows) {
    for (Row row : rows) {
      service.query("DELETE FROM outbox WHERE event_id = '" + row.eventId() + "'");
    }
  }

  private static void awaitOnTopic(TopicReader reader, Row row) {
    awaitUntil("event " + row.eventId() + " on the topic", WAIT, () -> {
      reader.pollOnce(Duration.ofMillis(100));
      return reader.distinct().stream().anyMatch(r -> r.eventId().equals(row.eventId()));
    });
  }

  /** 60 units x (4 entity.created + 1 unit_of_work.committed) in the outbox; returns every unsent event id. */
  private static Set<String> fillOutbox() {
    for (int i = 0; i < 60; i++) {
      commitNewEntities(service, 4);
    }
    Set<String> unsent = new HashSet<>(Commits.unsentEventIds(service));
    assertThat(unsent).hasSizeGreaterThanOrEqualTo(300); // plus what earlier tests left unsent
    return unsent;
  }

  /** A relay of this service's config, enabled and pointed at the test broker's {@code topic}. */
  private static DeploymentOptions relayOptions(String topic, JsonObject messageQueue) {
    JsonObject source = service.config().source().copy();
    source.getJsonObject("message_queue").put("enabled", true)
        .put("bootstrap_servers", TestKafka.broker().bootstrapServers()).put("topics", new JsonArray().add(topic))
        .mergeIn(messageQueue);
    return new DeploymentOptions().setConfig(source);
  }

  private static long claimedUnsent() {
    return service.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND claimed_by IS NOT NULL").get(0).getLong(0);
  }

  private static void awaitAllOnTopic(TopicReader reader, Set<String> expected) {
    awaitUntil("every outbox event on the topic", WAIT, () -> {
      reader.pollOnce(Duration.ofMillis(200));
      return reader.distinct().stream().filter(r -> expected.contains(r.eventId())).count() == expected.size();
    });
  }

  private static Object sentAt(Row row) {
    return service.query("SELECT sent_at FROM outbox WHERE event_id = '" + row.eventId() + "'").get(0).getValue(0);
  }
}
