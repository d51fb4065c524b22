package io.uowservice.events;

import static io.uowservice.events.Commits.awaitUntil;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestKafka;
import io.uowservice.testsupport.TopicReader;
import io.uowservice.testsupport.TopicReader.Received;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Kafka commands: units of work submitted as messages, one commit and one result each")
class CommandConsumerTest {

  private static final Duration WAIT = Duration.ofSeconds(120);

  private static ServiceHarness service;
  private static KafkaProducer<String, String> producer;
  private static TopicReader results;
  private static TopicReader deadLetters;
  private static String commands;

  @BeforeAll
  static void start(Vertx vertx) {
    TestKafka.Broker broker = TestKafka.broker();
    commands = unique("uow-commands");
    String resultsTopic = unique("uow-results");
    TestKafka.createTopic(commands, 3);
    String deadLetterTopic = unique("uow-dead-letters");
    // a results topic that refuses any result past 4 KB: a large transaction's result can never go there
    TestKafka.createTopic(resultsTopic, 1, Map.of("max.message.bytes", "4096"));
    TestKafka.createTopic(deadLetterTopic, 1);
    service = ServiceHarness.start(vertx, Map.of(
        "UOW_MESSAGE_QUEUE__ENABLED", "true",
        "UOW_MESSAGE_QUEUE__BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "UOW_MESSAGE_QUEUE__TOPICS", unique("uow-events"),
        "UOW_MESSAGE_QUEUE__COMMANDS_TOPIC", commands,
        "UOW_MESSAGE_QUEUE__RESULTS_TOPIC", resultsTopic,
        "UOW_MESSAGE_QUEUE__DEAD_LETTER_TOPIC", deadLetterTopic,
        "UOW_MESSAGE_QUEUE__CONSUMER_GROUP", unique("uow-group")));
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("acks", "all");
    producer = new KafkaProducer<>(p);
    results = new TopicReader(broker.bootstrapServers(), resultsTopic);
    deadLetters = new TopicReader(broker.bootstrapServers(), deadLetterTopic);
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (results != null) {
      results.close();
    }
    if (deadLetters != null) {
      deadLetters.close();
    }
    if (service != null) {
      service.close();
    }
  }

  private static JsonObject checkout() {
    String sku = unique("sku");
    return new JsonObject().put("operations", new JsonArray()
        .add(new JsonObject().put("op", "new").put("type", "user").put("lid", "u").put("name", "buyer"))
        .add(new JsonObject().put("op", "new").put("type", "product").put("lid", "p").put("name", "widget")
            .put("attributes", new JsonObject().put("sku", sku).put("price", "4.00")))
        .add(new JsonObject().put("op", "new").put("type", "order").put("name", "order").put("attributes",
            new JsonObject().put("user_id", new JsonObject().put("lid", "u")).put("amount", "4.00")
                .put("currency", "EUR").put("items", new JsonArray().add(new JsonObject()
                    .put("product_id", new JsonObject().put("lid", "p")).put("quantity", 1))))));
  }

  private static void send(String value, String idempotencyKey, String correlationId) {
    send(new ProducerRecord<>(commands, correlationId, value), idempotencyKey, correlationId);
  }

  private static void send(ProducerRecord<String, String> record, String idempotencyKey, String correlationId) {
    if (idempotencyKey != null) {
      record.headers().add(CommandConsumerVerticle.IDEMPOTENCY_KEY, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    }
    record.headers().add(CommandConsumerVerticle.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Received> resultsFor(String correlationId) {
    return results.records().stream().filter(r -> correlationId.equals(r.key())).toList();
  }

  private static Received awaitResult(String correlationId) {
    awaitUntil("the result of " + correlationId, WAIT, () -> {
      results.pollOnce(Duration.ofMillis(200));
      return !resultsFor(correlationId).isEmpty();
    });
    return resultsFor(correlationId).get(0);
  }

  @Test
  void aCommandMessageCommitsItsUnitAndAnswersWithTheCorrelationId() {
    long orders = service.count("orders");
    String correlation = unique("corr");

    send(checkout().encode(), unique("key"), correlation);
    Received result = awaitResult(correlation);

    assertThat(result.value().getString("transaction_id")).isNotBlank();
    assertThat(result.value().getJsonArray("results")).hasSize(3);
    assertThat(service.count("orders")).isEqualTo(orders + 1);
  }

  @Test
  void aCommandDeliveredTwiceCommitsOnceAndAnswersTwiceAlike() {
    long orders = service.count("orders");
    String key = unique("key");
    String first = unique("corr");
    String second = unique("corr");
    String command = checkout().encode();

    send(command, key, first);
    send(command, key, second);
    Received one = awaitResult(first);
    Received two = awaitResult(second);

    assertThat(service.count("orders") - orders).as("applied once").isEqualTo(1L);
    assertThat(two.value()).isEqualTo(one.value());
  }

  @Test
  void aMalformedOrInvalidCommandGetsAProblemAndWritesNothing() {
    long users = service.count("users");
    String garbage = unique("corr");
    String invalid = unique("corr");

    send("{not json", unique("key"), garbage);
    send(new JsonObject().put("operations", new JsonArray().add(new JsonObject().put("op", "new")
        .put("type", "spaceship").put("name", "x"))).encode(), unique("key"), invalid);

    assertThat(awaitResult(garbage).value().getInteger("status")).isEqualTo(400);
    assertThat(awaitResult(invalid).value().getInteger("status")).isEqualTo(422);
    assertThat(service.count("users")).isEqualTo(users);
  }

  @Test
  void aResultTheResultsTopicRefusesIsDeadLetteredAndTheRestOfTheBatchStillRuns() {
    String bulkName = unique("bulk");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 80; i++) {
      many.add(new JsonObject().put("op", "new").put("type", "custom").put("lid", "c" + i).put("name", bulkName));
    }
    String oversized = unique("corr");
    List<String> others = List.of(unique("corr"), unique("corr"), unique("corr"), unique("corr"));
    long orders = service.count("orders");

    // one partition, back to back: the oversized result sits in the middle of one polled batch
    send(new ProducerRecord<>(commands, 0, others.get(0), checkout().encode()), unique("key"), others.get(0));
    send(new ProducerRecord<>(commands, 0, others.get(1), checkout().encode()), unique("key"), others.get(1));
    send(new ProducerRecord<>(commands, 0, oversized, new JsonObject().put("operations", many).encode()), unique("key"),
        oversized);
    send(new ProducerRecord<>(commands, 0, others.get(2), checkout().encode()), unique("key"), others.get(2));
    send(new ProducerRecord<>(commands, 0, others.get(3), checkout().encode()), unique("key"), others.get(3));

    others.forEach(CommandConsumerTest::awaitResult);
    awaitUntil("the dead letter of " + oversized, WAIT, () -> {
      deadLetters.pollOnce(Duration.ofMillis(200));
      return deadLetters.records().stream().anyMatch(r -> oversized.equals(r.key()));
    });

    Received letter = deadLetters.records().stream().filter(r -> oversized.equals(r.key())).findFirst().orElseThrow();
    assertThat(letter.value().getInteger("status")).as("the command itself committed").isEqualTo(200);
    assertThat(letter.value().getString("error")).contains("RecordTooLarge");
    assertThat(resultsFor(oversized)).isEmpty();
    for (String corr : others) {
      assertThat(resultsFor(corr)).as("one result for " + corr).hasSize(1);
    }
    assertThat(service.count("orders") - orders).as("every other command ran once").isEqualTo(4L);
    assertThat(service.query("SELECT COUNT(*) FROM custom_entities WHERE name = '" + bulkName + "'").get(0).getLong(0))
        .as("the oversized command ran once").isEqualTo(80L);
  }
}
