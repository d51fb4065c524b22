package io.uowservice.config;

import io.uowservice.domain.BuiltInTypes;
import io.uowservice.domain.UnitLimits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The validated configuration. Built once at start-up from {@link ConfigLoader}; immutable. */
public record AppConfig(
    App app,
    Http http,
    Mysql mysql,
    Mongo mongo,
    Cache cache,
    MessageQueue messageQueue,
    Security security,
    Units units,
    UnitLimits limits,
    LiveUpdates liveUpdates,
    Cluster cluster,
    JsonObject source) {

  public record App(String name, String version, String description) {
  }

  /**
   * Clustered mode: the nodes of one cluster {@code name} find each other only through the
   * {@code members} list (TCP-IP; no multicast, no auto-detection); {@code host}/{@code port} are
   * this node's cluster-manager address, {@code eventBusPort} its event-bus port (0 = any free);
   * a node silent for {@code nodeTimeout} is dropped from the cluster and its units are lost.
   */
  public record Cluster(boolean enabled, String name, String host, int port, List<String> members,
      int eventBusPort, Duration nodeTimeout) {
  }

  /**
   * {@code readTimeout}: how long a request's head and body may take to arrive (408 past it);
   * {@code idleTimeout}: a connection without any traffic for this long is closed.
   */
  public record Http(String host, int port, int instances, int maxBodyBytes, Duration readTimeout,
      Duration idleTimeout, int maxConnections, int maxConnectionsPerClient) {
  }

  /**
   * {@code lockWaitTimeout} and {@code statementTimeout} bound every statement of the service's
   * sessions (innodb_lock_wait_timeout, max_statement_time), so the database gives up before a
   * commit's own deadline and its outcome is known.
   */
  public record Mysql(boolean embedded, Path dataDir, int embeddedPort, String host, int port, String database,
      String username, String password, int poolSize, Duration connectTimeout, Duration lockWaitTimeout,
      Duration statementTimeout) {

    /** The same settings pointed at a concrete server (the embedded one, once it runs). */
    public Mysql at(String newHost, int newPort, String newUser, String newPassword) {
      return new Mysql(embedded, dataDir, embeddedPort, newHost, newPort, database, newUser, newPassword, poolSize,
          connectTimeout, lockWaitTimeout, statementTimeout);
    }
  }

  public record Mongo(String uri, String database) {
  }

  /** {@code redisKeyPrefix} starts every key the service writes to Redis (e.g. the rate limiter's). */
  public record Cache(String type, Duration ttl, String redisUrl, String redisKeyPrefix) {
  }

  /**
   * Kafka and the outbox relay. {@code topics.get(0)} receives the events; the relay claims up to
   * {@code relayBatchSize} rows at a time for {@code relayLease}, polls every {@code
   * relayPollInterval} (and at once when a commit announces events), backs off up to {@code
   * relayMaxBackoff} while Kafka fails, and deletes sent rows older than {@code outboxRetention}.
   */
  public record MessageQueue(boolean enabled, String bootstrapServers, List<String> topics, int relayBatchSize,
      Duration relayPollInterval, Duration relayLease, Duration relayMaxBackoff, Duration outboxRetention,
      String commandsTopic, String resultsTopic, String consumerGroup, String commandSubject, String deadLetterTopic) {

    public String topic() {
      return topics.get(0);
    }
  }

  /** {@code trustForwardedFor}: take the client IP from X-Forwarded-For (only behind a proxy that sets it). */
  public record Security(boolean enabled, String jwtSecret, List<String> allowedOrigins, int rateLimitRequests,
      Duration rateLimitWindow, boolean trustForwardedFor, String jwtAlgorithm, String jwtPublicKeyPath,
      String jwtPrivateKeyPath, String jwtIssuer, String jwtAudience, Duration clockSkew, boolean allowWeakSecret,
      int failedAuthLimit, Duration failedAuthWindow) {

    /** The seed's placeholder: never a real secret. */
    public static final String PLACEHOLDER_SECRET = "your-secret-key";
  }

  /**
   * {@code commitTimeout}: a commit that has not reached COMMIT by then is rolled back (503, nothing
   * written); {@code commitRetries}: how often a commit that lost a deadlock or a lock wait is run
   * again inside the service before the client gets 409; {@code maxUnitsPerSubject}: open units one
   * subject may have on a node; {@code maxNodeBytes}: what all units of a node may hold together
   * (past it registrations get 503).
   */
  public record Units(Duration idleTimeout, String defaultEntityType, List<String> supportedEntityTypes,
      int maxRepositories, int shards, Duration commitTimeout, Duration idempotencyRetention, int commitRetries,
      int maxUnitsPerSubject, long maxNodeBytes) {

    /** How long a caller waits for a commit's answer: its deadline plus the COMMIT itself. */
    public Duration commitReplyTimeout() {
      return commitTimeout.plusSeconds(10);
    }
  }

  /**
   * Live updates to /ws and /eventbus clients. {@code maxQueuedBytes}: how much may wait unsent for
   * one client before it counts as too slow and is disconnected (its queue is bounded in bytes because
   * memory is what it protects); {@code maxTotalQueuedBytes} bounds all clients of the node together
   * (past it, the client offered the next frame is disconnected); {@code maxClients} and {@code
   * maxClientsPerSubject} bound how many may connect (503 / 429 past them); {@code maxInboundBytes}
   * bounds what a client may send in one request or message (SockJS HTTP bodies, WebSocket messages),
   * {@code maxSubscriptionsPerClient} the addresses one SockJS session may register for.
   */
  public record LiveUpdates(int maxQueuedBytes, int maxClients, int maxClientsPerSubject, long maxTotalQueuedBytes,
      int maxInboundBytes, int maxSubscriptionsPerClient) {
  }

  /** Validates the merged tree; the first bad key fails with a {@link ConfigException} naming it. */
  public static AppConfig from(JsonObject tree) {
    ConfigReader r = new ConfigReader(tree);
    int cores = Runtime.getRuntime().availableProcessors();

    App app = new App(r.nonBlank("app.name"), r.nonBlank("app.version"), r.string("app.description"));
    int instances = r.integer("http.instances", 0, 256);
    Http http = new Http(r.nonBlank("http.host"), r.integer("http.port", 0, 65535), instances == 0 ? cores : instances,
        r.integer("http.max_body_bytes", 1024, 512 * 1024 * 1024),
        r.duration("http.read_timeout", Duration.ofSeconds(1)), r.duration("http.idle_timeout", Duration.ofSeconds(1)),
        r.integer("http.max_connections", 1, 10_000_000), r.integer("http.max_connections_per_client", 1, 10_000_000));

    String dataDir = r.nonBlank("database.mysql.data_dir");
    Mysql mysql = new Mysql(r.bool("database.mysql.embedded"), Path.of(dataDir),
        r.integer("database.mysql.embedded_port", 0, 65535), r.nonBlank("database.mysql.host"),
        r.integer("database.mysql.port", 1, 65535), databaseName(r), r.nonBlank("database.mysql.username"),
        r.string("database.mysql.password"), r.integer("database.mysql.pool_size", 1, 1000),
        r.duration("database.mysql.connect_timeout", Duration.ofMillis(100)),
        r.duration("database.mysql.lock_wait_timeout", Duration.ofSeconds(1)),
        r.duration("database.mysql.statement_timeout", Duration.ofSeconds(1)));

    Mongo mongo = new Mongo(r.string("database.mongodb.uri").trim(), r.nonBlank("database.mongodb.database"));
    Cache cache = new Cache(r.oneOf("cache.type", List.of("memory", "redis")), r.duration("cache.ttl", Duration.ZERO),
        r.string("cache.redis.url").trim(), r.string("cache.redis.key_prefix"));
    MessageQueue mq = new MessageQueue(r.bool("message_queue.enabled"), r.nonBlank("message_queue.bootstrap_servers"),
        r.list("message_queue.topics"), r.integer("message_queue.relay_batch_size", 1, 10_000),
        r.duration("message_queue.relay_poll_interval", Duration.ofMillis(10)),
        // a lease shorter than a Kafka round trip under load would let two relays publish the same rows
        r.duration("message_queue.relay_lease", Duration.ofSeconds(1)),
        r.duration("message_queue.relay_max_backoff", Duration.ofMillis(100)),
        r.duration("message_queue.outbox_retention", Duration.ZERO),
        r.nonBlank("message_queue.commands_topic"), r.nonBlank("message_queue.results_topic"),
        r.nonBlank("message_queue.consumer_group"), r.nonBlank("message_queue.command_subject"),
        r.nonBlank("message_queue.dead_letter_topic"));
    if (mq.topics().isEmpty()) {
      throw new ConfigException("message_queue.topics", "must name at least one topic");
    }
    Security security = new Security(r.bool("security.enabled"), r.string("security.jwt_secret"),
        r.list("security.allowed_origins"), r.integer("security.rate_limit_requests", 1, Integer.MAX_VALUE),
        r.duration("security.rate_limit_window", Duration.ofSeconds(1)), r.bool("security.trust_forwarded_for"),
        r.oneOf("security.jwt_algorithm", List.of("HS256", "RS256", "ES256")),
        r.string("security.jwt_public_key_path").trim(), r.string("security.jwt_private_key_path").trim(),
        r.string("security.jwt_issuer").trim(), r.string("security.jwt_audience").trim(),
        r.duration("security.clock_skew", Duration.ZERO), r.bool("security.allow_weak_secret"),
        r.integer("security.failed_auth_limit", 1, 1_000_000), r.duration("security.failed_auth_window",
            Duration.ofSeconds(1)));

    List<String> supported = r.list("unit_of_work.supported_entity_types");
    for (String type : supported) {
      if (!BuiltInTypes.REFERENCE_ORDER.contains(type)) {
        throw new ConfigException("unit_of_work.supported_entity_types",
            "may only name built-in types " + BuiltInTypes.REFERENCE_ORDER + ", got '" + type + "'");
      }
    }
    if (supported.isEmpty()) {
      throw new ConfigException("unit_of_work.supported_entity_types", "must name at least one type");
    }
    String defaultType = r.nonBlank("unit_of_work.default_entity_type");
    if (!supported.contains(defaultType)) {
      throw new ConfigException("unit_of_work.default_entity_type",
          "must be one of the supported entity types " + supported + ", got '" + defaultType + "'");
    }
    int shards = r.integer("unit_of_work.shards", 0, 256);
    Units units = new Units(r.duration("unit_of_work.transaction_timeout", Duration.ofSeconds(1)), defaultType,
        List.copyOf(supported), r.integer("unit_of_work.max_repositories", 0, 10_000), shards == 0 ? cores : shards,
        r.duration("unit_of_work.commit_timeout", Duration.ofSeconds(1)),
        r.duration("unit_of_work.idempotency_retention", Duration.ofSeconds(1)),
        r.integer("unit_of_work.commit_retries", 0, 100),
        r.integer("unit_of_work.max_units_per_subject", 1, 1_000_000),
        nodeBytes(r.integer("unit_of_work.max_node_bytes", 0, Integer.MAX_VALUE)));
    UnitLimits limits = new UnitLimits(r.integer("unit_of_work.max_entities", 1, 1_000_000),
        r.integer("validation_rules.max_name_length", 1, 1000),
        r.integer("validation_rules.max_description_length", 0, 1_000_000),
        r.integer("unit_of_work.max_unit_bytes", 1024, Integer.MAX_VALUE),
        r.integer("unit_of_work.max_savepoints", 1, 10_000),
        r.integer("validation_rules.max_metadata_bytes", 2, 16 * 1024 * 1024));
    LiveUpdates liveUpdates = new LiveUpdates(r.integer("live_updates.max_queued_bytes", 4096, 1024 * 1024 * 1024),
        r.integer("live_updates.max_clients", 1, 1_000_000), r.integer("live_updates.max_clients_per_subject", 1,
            1_000_000), r.integer("live_updates.max_total_queued_bytes", 4096, Integer.MAX_VALUE),
        r.integer("live_updates.max_inbound_bytes", 256, 16 * 1024 * 1024),
        r.integer("live_updates.max_subscriptions_per_client", 1, 100_000));
    Cluster cluster = new Cluster(r.bool("cluster.enabled"), clusterName(r), r.nonBlank("cluster.host"),
        r.integer("cluster.port", 1, 65535), members(r), r.integer("cluster.event_bus_port", 0, 65535),
        r.duration("cluster.node_timeout", Duration.ofSeconds(2)));
    return new AppConfig(app, http, mysql, mongo, cache, mq, security, units, limits, liveUpdates, cluster,
        tree.copy());
  }

  /** 0 = a quarter of the JVM's maximum heap: room for everything else the node holds. */
  private static long nodeBytes(int configured) {
    return configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4;
  }

  private static String clusterName(ConfigReader r) {
    String name = r.nonBlank("cluster.name");
    if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException("cluster.name", "must be 1-64 letters, digits, '_', '.' or '-', got '" + name + "'");
    }
    return name;
  }

  /** Each member is host or host:port (the port defaults to cluster.port). */
  private static List<String> members(ConfigReader r) {
    List<String> members = r.list("cluster.members").stream().map(String::trim).filter(m -> !m.isEmpty()).toList();
    for (String member : members) {
      if (!member.matches("[A-Za-z0-9_.\\[\\]:-]{1,255}")) {
        throw new ConfigException("cluster.members", "each member is host or host:port, got '" + member + "'");
      }
    }
    return members;
  }

  private static String databaseName(ConfigReader r) {
    String name = r.nonBlank("database.mysql.database");
    if (!name.matches("[A-Za-z0-9_]{1,64}")) {
      throw new ConfigException("database.mysql.database", "must be 1-64 letters, digits or underscores, got '" + name + "'");
    }
    return name;
  }
}
