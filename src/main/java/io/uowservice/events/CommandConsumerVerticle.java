package io.uowservice.events;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.Addresses.UnitActions;
import io.uowservice.bus.Messages;
import io.uowservice.bus.Problem;
import io.uowservice.bus.RequestHashes;
import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Units of work submitted as Kafka messages: each record's value is a {@code POST /api/v1/transactions}
 * body, its headers carry {@code idempotency-key} and {@code correlation-id}. The transaction runs
 * through the UnitOfWork actors like an HTTP one; its result (the same JSON, or the problem) goes
 * to the results topic with the correlation id. At least once: a batch's offsets are committed only
 * after every result of it was acknowledged, and the idempotency key (or, without one, the record's
 * topic/partition/offset) makes a redelivered command replay its first outcome instead of running again.
 */
public final class CommandConsumerVerticle extends VerticleBase {

  public static final String IDEMPOTENCY_KEY = "idempotency-key";
  public static final String CORRELATION_ID = "correlation-id";
  public static final String STATUS = "status";
  public static final String REPLAYED = "replayed";
  private static final Logger LOG = LoggerFactory.getLogger(CommandConsumerVerticle.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private AppConfig config;
  private KafkaConsumer<String, String> consumer;
  private KafkaProducer<String, String> producer;
  private DeliveryOptions requestOptions;
  private volatile boolean stopped;
  private long backoffMillis = 250;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    AppConfig.MessageQueue mq = config.messageQueue();
    requestOptions = new DeliveryOptions().setSendTimeout(config.units().commitTimeout().toMillis())
        .addHeader(Addresses.ACTION, UnitActions.TRANSACT);
    Map<String, String> consumerConfig = new HashMap<>();
    consumerConfig.put("bootstrap.servers", mq.bootstrapServers());
    consumerConfig.put("group.id", mq.consumerGroup());
    consumerConfig.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumerConfig.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumerConfig.put("enable.auto.commit", "false");
    consumerConfig.put("auto.offset.reset", "earliest");
    consumerConfig.put("max.poll.records", "100");
    consumer = KafkaConsumer.create(vertx, consumerConfig);
    Map<String, String> producerConfig = OutboxRelayVerticle.producerConfig(mq, "commands-" + UUID.randomUUID());
    producer = KafkaProducer.create(vertx, producerConfig);
    return consumer.subscribe(mq.commandsTopic()).onSuccess(v -> {
      LOG.info("consuming units of work from Kafka topic {} (results to {})", mq.commandsTopic(), mq.resultsTopic());
      pollLoop();
    });
  }

  private void pollLoop() {
    if (stopped) {
      return;
    }
    consumer.poll(POLL)
        .compose(this::handleBatch)
        .onSuccess(v -> {
          backoffMillis = 250;
          pollLoop();
        })
        .onFailure(err -> {
          if (stopped) {
            return;
          }
          LOG.warn("command consumer: {}; retrying in {} ms", err.toString(), backoffMillis);
          vertx.setTimer(backoffMillis, id -> pollLoop());
          backoffMillis = Math.min(backoffMillis * 2, 10_000);
        });
  }

  /** Every record's result is produced and acknowledged before the batch's offsets are committed. */
  private Future<Void> handleBatch(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      chain = chain.compose(v -> handle(record));
    }
    return chain.compose(v -> consumer.commit());
  }

  private Future<Void> handle(KafkaConsumerRecord<String, String> record) {
    String correlationId = header(record, CORRELATION_ID);
    String key = header(record, IDEMPOTENCY_KEY);
    if (key == null) {
      // without a key a redelivery must still not run twice: the record's position names it
      key = "kafka:" + record.topic() + ":" + record.partition() + ":" + record.offset();
    }
    String idempotencyKey = key;
    Future<Result> result;
    JsonObject payload = parse(record.value());
    if (payload == null) {
      result = Future.succeededFuture(Result.of(Problem.badRequest("the command is not a JSON object")));
    } else {
      JsonObject request = new JsonObject()
          .put(Messages.SUBJECT, config.messageQueue().commandSubject())
          .put(Messages.OPERATIONS, payload.getValue("operations"))
          .put(Messages.IDEMPOTENCY_KEY, idempotencyKey)
          .put(Messages.REQUEST_HASH, RequestHashes.transaction(payload));
      String shard = Addresses.unitShard(Addresses.shardOf(config.messageQueue().commandSubject() + "\n"
          + idempotencyKey, config.units().shards()));
      result = vertx.eventBus().<JsonObject>request(shard, request, requestOptions)
          .map(reply -> new Result(200, reply.body(), "true".equals(reply.headers().get("replayed"))))
          .recover(err -> Future.succeededFuture(Result.of(Problem.from(err))));
    }
    return result.compose(r -> {
      KafkaProducerRecord<String, String> out = KafkaProducerRecord.create(config.messageQueue().resultsTopic(),
          correlationId != null ? correlationId : record.key(), r.body().encode());
      if (correlationId != null) {
        out.addHeader(CORRELATION_ID, correlationId);
      }
      out.addHeader(IDEMPOTENCY_KEY, idempotencyKey).addHeader(STATUS, String.valueOf(r.status()));
      if (r.replayed()) {
        out.addHeader(REPLAYED, "true");
      }
      return producer.send(out).mapEmpty();
    });
  }

  /** The outcome of one command: the HTTP status it would have had and its body. */
  private record Result(int status, JsonObject body, boolean replayed) {
    static Result of(Problem problem) {
      return new Result(problem.status(), problem.toJson(), false);
    }
  }

  private static JsonObject parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(value);
      return parsed instanceof JsonObject obj ? obj : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private static String header(KafkaConsumerRecord<String, String> record, String name) {
    for (KafkaHeader h : record.headers()) {
      if (h.key().equalsIgnoreCase(name) && h.value() != null) {
        return h.value().toString(StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return consumer.close().eventually(() -> producer.close());
  }
}
