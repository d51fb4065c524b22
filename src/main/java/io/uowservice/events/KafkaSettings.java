package io.uowservice.events;

import io.uowservice.config.AppConfig;
import java.util.HashMap;
import java.util.Map;

/** The Kafka clients' settings, one place for the relay's and the command consumer's producers and consumer. */
final class KafkaSettings {

  private KafkaSettings() {
  }

  /** The producer settings: acks from all in-sync replicas and idempotence (no duplicates from client retries). */
  static Map<String, String> producer(AppConfig.MessageQueue mq, String clientId) {
    // a send must give up well before the lease ends, or another relay could take the rows while
    // this one still publishes them; Kafka needs delivery >= linger + request timeout
    long delivery = Math.max(1000, mq.relayLease().toMillis() * 2 / 3);
    long request = Math.min(5000, delivery / 2);
    Map<String, String> c = new HashMap<>();
    c.put("bootstrap.servers", mq.bootstrapServers());
    c.put("client.id", "uow-" + clientId);
    c.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    c.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    c.put("acks", "all");
    c.put("enable.idempotence", "true");
    // idempotence keeps per-partition order with up to 5 requests in flight
    c.put("max.in.flight.requests.per.connection", "5");
    c.put("linger.ms", "5");
    c.put("delivery.timeout.ms", String.valueOf(delivery));
    c.put("request.timeout.ms", String.valueOf(request));
    // metadata waits happen on a worker thread, but bound them so a dead broker fails fast into backoff
    c.put("max.block.ms", String.valueOf(request));
    c.put("reconnect.backoff.max.ms", "2000");
    // an event is as large as its entity (HTTP bodies up to 4 MiB) or its commit's entity list; the
    // topic's max.message.bytes must allow as much, or such a row is retried (with backoff) until it does
    c.put("max.request.size", String.valueOf(16 * 1024 * 1024));
    return c;
  }

  /**
   * The command consumer's settings: offsets committed by hand (only for commands whose result was
   * acknowledged), {@code pollRecords} a poll, and a poll interval that outlasts a whole batch run
   * one command at a time, each bounded by {@code commandTimeoutMs} — or a slow database would make
   * the group rebalance and redeliver it.
   */
  static Map<String, String> consumer(AppConfig.MessageQueue mq, int pollRecords, long commandTimeoutMs) {
    Map<String, String> c = new HashMap<>();
    c.put("bootstrap.servers", mq.bootstrapServers());
    c.put("group.id", mq.consumerGroup());
    c.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    c.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("max.poll.records", String.valueOf(pollRecords));
    c.put("max.poll.interval.ms", String.valueOf(Math.max(300_000, pollRecords * commandTimeoutMs + 60_000)));
    return c;
  }

  /**
   * A record Kafka refuses for good (too large, invalid): retrying it would block its partition or
   * entity forever, so it is dead-lettered instead.
   */
  static boolean refusedForGood(Throwable err) {
    return err instanceof org.apache.kafka.common.errors.RecordTooLargeException
        || err instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
        || err instanceof org.apache.kafka.common.InvalidRecordException;
  }
}
