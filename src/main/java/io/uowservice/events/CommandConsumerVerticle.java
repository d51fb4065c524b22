package io.uowservice.events;

import io.uowservice.async.Futures;
import io.uowservice.bus.Idempotency;
import io.uowservice.bus.ServiceClient;
import io.uowservice.bus.UnitService;
import io.uowservice.api.JsonShape;
import io.uowservice.api.Problem;
import io.uowservice.api.RequestHashes;
import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.uowservice.metrics.Telemetry;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Units of work submitted as Kafka messages: each record's value is a {@code POST /api/v1/transactions}
 * body, its headers carry {@code idempotency-key} and {@code correlation-id}. The transaction runs
 * through the UnitOfWork actors like an HTTP one; its result (the same JSON, or the problem) goes
 * to the results topic with the correlation id. At least once: an offset is committed only once the
 * result of its command was acknowledged (a result the topic refuses for good goes to the
 * dead-letter topic instead), and the idempotency key (or, without one, the record's
 * topic/partition/offset) makes a redelivered command replay its first outcome instead of running again.
 */
public final class CommandConsumerVerticle extends VerticleBase {

  public static final String IDEMPOTENCY_KEY = "idempotency-key";
  public static final String CORRELATION_ID = "correlation-id";
  public static final String STATUS = "status";
  public static final String REPLAYED = "replayed";
  private static final Logger LOG = LoggerFactory.getLogger(CommandConsumerVerticle.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int POLL_RECORDS = 20;
  private static final int MAX_ATTEMPTS = 5;
  /** position → attempts of commands that failed without an outcome (only those: at most one per partition). */
  private final Map<String, Integer> attempts = new HashMap<>();

  private AppConfig config;
  private KafkaConsumer<String, String> consumer;
  private KafkaProducer<String, String> producer;
  private UnitService units;
  private volatile boolean stopped;
  private long backoffMillis = 250;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    AppConfig.MessageQueue mq = config.messageQueue();
    units = new ServiceClient(vertx, config.units().shards(), config.units().commitReplyTimeout()).units();
    consumer = KafkaConsumer.create(vertx, KafkaSettings.consumer(mq, POLL_RECORDS,
        config.units().commitReplyTimeout().toMillis()));
    producer = KafkaProducer.create(vertx, KafkaSettings.producer(mq, "commands-" + UUID.randomUUID()));
    // each send's own future carries its failure (handled in handle); this only keeps them out of the context log
    producer.exceptionHandler(err -> LOG.debug("command consumer producer: {}", err.toString()));
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

  /**
   * Runs the batch's commands one by one. Offsets only ever cover commands whose result was
   * acknowledged: after a failure the processed prefix is committed, every partition is sought back
   * to its first unprocessed command, and the poll loop retries after a pause (the idempotency key
   * turns a command that did commit into a replay).
   */
  private Future<Void> handleBatch(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    List<KafkaConsumerRecord<String, String>> batch = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      batch.add(records.recordAt(i));
    }
    return Futures.inOrder(batch, record -> handle(record).onSuccess(x -> done.put(
        new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1, null))))
        .transform(ar -> {
          Future<Void> committed = done.isEmpty() ? Future.succeededFuture() : consumer.commit(done).mapEmpty();
          if (ar.succeeded()) {
            return committed;
          }
          return committed.transform(c -> rewind(records, done)).transform(r -> Future.failedFuture(ar.cause()));
        });
  }

  /** Seeks every partition of the batch back to its first command that has no acknowledged result. */
  private Future<Void> rewind(KafkaConsumerRecords<String, String> records, Map<TopicPartition, OffsetAndMetadata> done) {
    Map<TopicPartition, Long> firstPending = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> r = records.recordAt(i);
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      OffsetAndMetadata acked = done.get(tp);
      if ((acked == null || r.offset() >= acked.getOffset()) && !firstPending.containsKey(tp)) {
        firstPending.put(tp, r.offset());
      }
    }
    return Futures.inOrder(firstPending.entrySet(), e -> consumer.seek(e.getKey(), e.getValue())).onFailure(err -> LOG.warn("command consumer could not seek back ({}); the rebalance that follows "
        + "restarts from the committed offsets", err.toString()));
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
    if (!Idempotency.isValidKey(idempotencyKey)) {
      // the same rule as the HTTP header: a client mistake, answered once, not a failure to retry
      result = Future.succeededFuture(Result.of(Problem.badRequest(IDEMPOTENCY_KEY
          + " must be 1-255 printable ASCII characters")));
    } else if (payload == null) {
      result = Future.succeededFuture(Result.of(Problem.badRequest("the command is not a JSON object")));
    } else {
      result = units.transact(config.messageQueue().commandSubject(), payload.getValue("operations"),
              new Idempotency(idempotencyKey, RequestHashes.transaction(payload)))
          .map(reply -> new Result(200, reply.body(), reply.replayed()))
          // an unknown outcome is not a result: the command runs again later under its key (a replay if it committed)
          .recover(err -> {
            Problem problem = Problem.from(err);
            // not an outcome: the service could not run it now (5xx), or does not know yet (unknown, the same
            // key in progress). The command runs again later under its key: a replay if it did commit.
            if (problem.status() < 500 && !Problem.IN_PROGRESS.equals(problem.slug())) {
              return Future.succeededFuture(Result.of(problem));
            }
            String position = record.topic() + "-" + record.partition() + "@" + record.offset();
            int attempt = attempts.merge(position, 1, Integer::sum);
            if (attempt < MAX_ATTEMPTS) {
              return Future.failedFuture(new IllegalStateException("command " + position + " not run now (attempt "
                  + attempt + "): " + problem.status() + " " + problem.detail()));
            }
            // a command that keeps failing must not hold its partition forever
            attempts.remove(position);
            return Future.succeededFuture(new Result(problem.status(), problem.toJson(), false, true));
          });
    }
    return result.compose(r -> {
      if (r.gaveUp()) {
        return deadLetter(record, correlationId, idempotencyKey, r, new IllegalStateException("no outcome after "
            + MAX_ATTEMPTS + " attempts: " + r.body().getString("detail")));
      }
      attempts.remove(record.topic() + "-" + record.partition() + "@" + record.offset());
      KafkaProducerRecord<String, String> out = KafkaProducerRecord.create(config.messageQueue().resultsTopic(),
          correlationId != null ? correlationId : record.key(), r.body().encode());
      if (correlationId != null) {
        out.addHeader(CORRELATION_ID, correlationId);
      }
      out.addHeader(IDEMPOTENCY_KEY, idempotencyKey).addHeader(STATUS, String.valueOf(r.status()));
      if (r.replayed()) {
        out.addHeader(REPLAYED, "true");
      }
      return producer.send(out).<Void>mapEmpty().recover(err -> KafkaSettings.refusedForGood(err)
          ? deadLetter(record, correlationId, idempotencyKey, r, err) : Future.failedFuture(err));
    });
  }

  /**
   * Publishes, instead of the refused result, a small record naming the command, its outcome and
   * why the result could not be delivered; counted and logged. A failure here is retried like any
   * other (the command replays from its idempotency key).
   */
  private Future<Void> deadLetter(KafkaConsumerRecord<String, String> record, String correlationId,
      String idempotencyKey, Result result, Throwable why) {
    JsonObject letter = new JsonObject()
        .put("topic", record.topic()).put("partition", record.partition()).put("offset", record.offset())
        .put("correlation_id", correlationId).put("idempotency_key", idempotencyKey)
        .put("status", result.status()).put("result_bytes", result.body().encode().length())
        .put("error", why.getClass().getSimpleName() + ": " + why.getMessage());
    KafkaProducerRecord<String, String> out = KafkaProducerRecord.create(config.messageQueue().deadLetterTopic(),
        correlationId != null ? correlationId : record.key(), letter.encode());
    if (correlationId != null) {
      out.addHeader(CORRELATION_ID, correlationId);
    }
    out.addHeader(IDEMPOTENCY_KEY, idempotencyKey).addHeader(STATUS, String.valueOf(result.status()));
    return producer.send(out).<Void>mapEmpty().onSuccess(v -> {
      Telemetry.commandDeadLettered();
      LOG.warn("command {}-{}@{} (correlation id {}): its result ({} bytes, status {}) was refused by topic {} for "
          + "good ({}); dead-lettered to {}", record.topic(), record.partition(), record.offset(), correlationId,
          letter.getInteger("result_bytes"), result.status(), config.messageQueue().resultsTopic(), why.toString(),
          config.messageQueue().deadLetterTopic());
    });
  }

  /**
   * The outcome of one command: the HTTP status it would have had and its body; {@code gaveUp}: it
   * failed {@value #MAX_ATTEMPTS} times without an outcome, so it goes to the dead-letter topic.
   */
  private record Result(int status, JsonObject body, boolean replayed, boolean gaveUp) {
    Result(int status, JsonObject body, boolean replayed) {
      this(status, body, replayed, false);
    }

    static Result of(Problem problem) {
      return new Result(problem.status(), problem.toJson(), false);
    }
  }

  /** The command as a JSON object, or null; checked for hostile shapes first, with the limits HTTP bodies have. */
  private static JsonObject parse(String value) {
    if (value == null || JsonShape.check(io.vertx.core.buffer.Buffer.buffer(value), JsonShape.MAX_DEPTH,
        JsonShape.MAX_STRING_BYTES) != null) {
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
