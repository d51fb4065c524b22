package io.uowservice.events;

import static io.uowservice.events.Commits.awaitUntil;
import static io.uowservice.events.Commits.commit;
import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.events.Commits.newUnit;
import static io.uowservice.events.Commits.register;
import static io.uowservice.testsupport.Units.unique;
import static io.uowservice.events.Commits.unsent;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestKafka;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not a test: the closing figures of the events issue. Off unless {@code -Duow.benchmark=true}:
 * <pre>
 * UOW_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306 ./mvnw -B test -Dtest=RelayBenchmark -Duow.benchmark=true
 * </pre>
 * (1) relay throughput: an outbox of {@value #BACKLOG_UNITS} units x {@value #ENTITIES_PER_UNIT}
 * entities filled with Kafka off, then one relay drains it; events/s = rows / time until every row
 * is marked sent. (2) latency: {@value #LATENCY_COMMITS} sequential one-entity commits with the
 * relay running; from sending the commit request to a real consumer receiving the unit's
 * {@code unit_of_work.committed} event.
 */
@ExtendWith(VertxExtension.class)
@EnabledIfSystemProperty(named = "uow.benchmark", matches = "true")
class RelayBenchmark {

  private static final int BACKLOG_UNITS = 200;
  private static final int ENTITIES_PER_UNIT = 50;
  private static final int LATENCY_COMMITS = 300;

  @Test
  void relayThroughputAndCommitToConsumerLatency(Vertx vertx) throws Exception {
    TestKafka.Broker broker = TestKafka.broker();
    String topic = unique("uow-bench");
    TestKafka.createTopic(topic, 3);
    try (ServiceHarness service = ServiceHarness.start(vertx, Map.of("UOW_MESSAGE_QUEUE__ENABLED", "false"))) {
      for (int u = 0; u < BACKLOG_UNITS; u++) {
        String unit = newUnit(service);
        for (int e = 0; e < ENTITIES_PER_UNIT; e++) {
          register(service, unit, "new", custom(unique("b")));
        }
        commit(service, unit);
      }
      long backlog = unsent(service);

      JsonObject source = service.config().source().copy();
      source.getJsonObject("message_queue").put("enabled", true).put("bootstrap_servers", broker.bootstrapServers())
          .put("topics", new JsonArray().add(topic));
      long started = System.nanoTime();
      String relay = ServiceHarness.await(
          vertx.deployVerticle(OutboxRelayVerticle::new, new DeploymentOptions().setConfig(source)));
      awaitUntil("the backlog to drain", Duration.ofMinutes(5), () -> unsent(service) == 0);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("[benchmark] relay drained %d events in %.2f s: %.0f events/s (batch size %d)%n", backlog,
          seconds, backlog / seconds, service.config().messageQueue().relayBatchSize());

      Map<String, Long> received = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch positioned = new CountDownLatch(1);
      Thread consumer = new Thread(() -> consume(broker.bootstrapServers(), topic, received, running, positioned),
          "bench-consumer");
      consumer.start();
      positioned.await(60, TimeUnit.SECONDS);
      Map<String, Long> sent = new ConcurrentHashMap<>();
      List<Double> commitMillis = new ArrayList<>();
      for (int i = 0; i < LATENCY_COMMITS; i++) {
        String unit = newUnit(service);
        register(service, unit, "new", custom(unique("l")));
        long t0 = System.nanoTime();
        sent.put(unit, t0);
        commit(service, unit);
        commitMillis.add((System.nanoTime() - t0) / 1e6);
      }
      Collections.sort(commitMillis);
      awaitUntil("every committed event consumed", Duration.ofMinutes(2), () -> received.keySet().containsAll(sent.keySet()));
      running.set(false);
      consumer.join();
      List<Double> millis = new ArrayList<>();
      sent.forEach((unit, t0) -> millis.add((received.get(unit) - t0) / 1e6));
      Collections.sort(millis);
      System.out.printf("[benchmark] commit -> consumer latency over %d commits: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          millis.size(), percentile(millis, 50), percentile(millis, 99), millis.get(millis.size() - 1));
      System.out.printf("[benchmark] of which the commit request itself (HTTP + transaction): p50 %.1f ms, p99 %.1f ms%n",
          percentile(commitMillis, 50), percentile(commitMillis, 99));
      List<Double> relayMillis = new ArrayList<>();
      service.query("SELECT TIMESTAMPDIFF(MICROSECOND, created_at, sent_at) FROM outbox WHERE event_type = '"
              + DomainEvents.UNIT_COMMITTED + "' ORDER BY seq DESC LIMIT " + LATENCY_COMMITS)
          .forEach(r -> relayMillis.add(r.getLong(0) / 1000.0));
      Collections.sort(relayMillis);
      System.out.printf("[benchmark] outbox row created -> marked sent (relay: claim, Kafka ack, mark): p50 %.1f ms, "
          + "p99 %.1f ms%n", percentile(relayMillis, 50), percentile(relayMillis, 99));
      ServiceHarness.await(vertx.undeploy(relay));
    }
  }

  private static void consume(String bootstrap, String topic, Map<String, Long> received, AtomicBoolean running,
      CountDownLatch positioned) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(partitions);
      c.seekToEnd(partitions); // only the latency phase's events
      partitions.forEach(c::position);
      positioned.countDown();
      while (running.get()) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(20))) {
          JsonObject event = new JsonObject(r.value());
          if (DomainEvents.UNIT_COMMITTED.equals(event.getString("type"))) {
            received.putIfAbsent(event.getString("unit_of_work_id"), System.nanoTime());
          }
        }
      }
    }
  }

  private static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
