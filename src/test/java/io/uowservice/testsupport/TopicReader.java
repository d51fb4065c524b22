package io.uowservice.testsupport;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real Kafka consumer reading one topic from the beginning (every partition assigned, no
 * group), collecting records and counting distinct {@code event_id}s the way a deduplicating
 * consumer would. Blocking: for the JUnit thread only.
 */
public final class TopicReader implements AutoCloseable {

  /** A record as the test sees it; {@code receivedAtMillis} is when this reader got it. */
  public record Received(String key, JsonObject value, int partition, long offset, long receivedAtMillis) {
    public String eventId() {
      return value.getString("event_id");
    }
  }

  private final KafkaConsumer<String, String> consumer;
  private final List<Received> records = new ArrayList<>();
  private final Map<String, Received> byEventId = new LinkedHashMap<>();

  public TopicReader(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    consumer = new KafkaConsumer<>(p);
    List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60));
    List<TopicPartition> assigned = partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
  }

  /** One poll; what arrives is added to {@link #records()} and, first copies only, to {@link #distinct()}. */
  public void pollOnce(Duration wait) {
    for (ConsumerRecord<String, String> r : consumer.poll(wait)) {
      Received received = new Received(r.key(), new JsonObject(r.value()), r.partition(), r.offset(),
          System.currentTimeMillis());
      records.add(received);
      byEventId.putIfAbsent(received.eventId(), received);
    }
  }

  /** Every record read, duplicates included, in arrival order. */
  public List<Received> records() {
    return records;
  }

  /** The first record of each event id, in arrival order. */
  public List<Received> distinct() {
    return new ArrayList<>(byEventId.values());
  }

  /** Records read more than once (what the consumer's dedupe dropped). */
  public int duplicates() {
    return records.size() - byEventId.size();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
