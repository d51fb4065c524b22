package io.uowservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uowservice.domain.UnitLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration: built-in defaults, an optional YAML file, then {@code UOW_*} environment variables.
 * Runs in the project directory (Maven's working directory), where conf/config.yaml exists.
 */
@DisplayName("Configuration: defaults, config file, UOW_* environment overrides and validation")
class ConfigTest {

  private static Vertx vertx;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static AppConfig load(Path file, Map<String, String> env) throws Exception {
    return await(ConfigLoader.load(vertx, file, env));
  }

  static AppConfig defaultsWith(Map<String, String> env) throws Exception {
    return load(null, env);
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** The merged tree of the shipped defaults, as AppConfig.from sees it. */
  static JsonObject defaultTree() throws Exception {
    return defaultsWith(Map.of()).source().copy();
  }

  // --- defaults ---

  @Test
  void defaultsLoadFromTheShippedConfig() throws Exception {
    AppConfig c = defaultsWith(Map.of());

    assertThat(c.app().name()).isEqualTo("unit-of-work-service");
    assertThat(c.app().version()).isEqualTo("1.0.0");
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().instances()).as("0 = one per core").isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.mysql().embedded()).isTrue();
    assertThat(c.mysql().port()).isEqualTo(3306);
    assertThat(c.mysql().database()).isEqualTo("unit_of_work");
    assertThat(c.mysql().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.mongo().uri()).isEmpty();
    assertThat(c.cache().type()).isEqualTo("memory");
    assertThat(c.cache().ttl()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.cache().redisKeyPrefix()).isEqualTo("uow:");
    assertThat(c.messageQueue().enabled()).isFalse();
    assertThat(c.messageQueue().topics()).containsExactly("unit-of-work-events");
    assertThat(c.security().enabled()).isFalse();
    assertThat(c.security().rateLimitRequests()).isEqualTo(50000);
    assertThat(c.security().rateLimitWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.security().trustForwardedFor()).as("X-Forwarded-For is not trusted by default").isFalse();
    assertThat(c.units().idleTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.units().defaultEntityType()).isEqualTo("custom");
    assertThat(c.units().supportedEntityTypes()).containsExactly("user", "order", "product", "payment", "custom");
    assertThat(c.units().maxRepositories()).isEqualTo(100);
    assertThat(c.units().commitTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.limits()).isEqualTo(UnitLimits.DEFAULTS);
  }

  @Test
  void theBuiltInDefaultsAloneAreAValidConfiguration() throws Exception {
    // the classpath copy of conf/config.yaml is what a jar started elsewhere runs with
    Path empty = Files.writeString(tmp.resolve("empty.yaml"), "{}\n");

    AppConfig c = load(empty, Map.of());

    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.units().supportedEntityTypes()).containsExactly("user", "order", "product", "payment", "custom");
  }

  // --- environment overrides ---

  @Test
  void httpPortFromTheEnvironment() throws Exception {
    assertThat(defaultsWith(Map.of("UOW_HTTP__PORT", "9090")).http().port()).isEqualTo(9090);
  }

  @Test
  void nestedKeysFromTheEnvironment() throws Exception {
    AppConfig c = defaultsWith(Map.of(
        "UOW_DATABASE__MYSQL__HOST", "db.internal",
        "UOW_DATABASE__MYSQL__EMBEDDED", "false",
        "UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_SECRET", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t",
        "UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "2h",
        "UOW_UNIT_OF_WORK__MAX_ENTITIES", "50",
        "UOW_VALIDATION_RULES__MAX_NAME_LENGTH", "20"));

    assertThat(c.mysql().host()).isEqualTo("db.internal");
    assertThat(c.mysql().embedded()).isFalse();
    assertThat(c.security().enabled()).isTrue();
    assertThat(c.security().jwtSecret()).isEqualTo("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t");
    assertThat(c.units().idleTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(c.limits()).isEqualTo(new UnitLimits(50, 20, 500));
  }

  @Test
  void durationsTakeSecondsOrAUnitSuffixOrIso8601() throws Exception {
    assertThat(defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "900")).units().idleTimeout())
        .isEqualTo(Duration.ofSeconds(900));
    assertThat(defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "30s")).units().idleTimeout())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "1d")).units().idleTimeout())
        .isEqualTo(Duration.ofDays(1));
    assertThat(defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "PT5M")).units().idleTimeout())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(defaultsWith(Map.of("UOW_DATABASE__MYSQL__CONNECT_TIMEOUT", "500ms")).mysql().connectTimeout())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void listsFromTheEnvironmentAreCommaSeparated() throws Exception {
    AppConfig c = defaultsWith(Map.of("UOW_UNIT_OF_WORK__SUPPORTED_ENTITY_TYPES", "user,custom"));

    assertThat(c.units().supportedEntityTypes()).containsExactly("user", "custom");
  }

  @Test
  void listItemsAreTrimmedAndEmptyOnesDropped() throws Exception {
    AppConfig c = defaultsWith(Map.of("UOW_MESSAGE_QUEUE__TOPICS", " a , ,b,"));

    assertThat(c.messageQueue().topics()).containsExactly("a", "b");
  }

  @Test
  void unrelatedUowVariablesAreIgnored() throws Exception {
    AppConfig plain = defaultsWith(Map.of());

    AppConfig c = defaultsWith(Map.of(
        "UOW_TEST_MYSQL_URL", "jdbc:mysql://elsewhere/x",
        "UOW_", "x",
        "UOW_HTTP__NO_SUCH_KEY", "1",
        "UOW_HTTP", "not-a-section-value",
        "HTTP__PORT", "1234",
        "PATH", "/usr/bin"));

    assertThat(c.source()).isEqualTo(plain.source());
    assertThat(c.http()).isEqualTo(plain.http());
  }

  @Test
  void environmentBeatsTheConfigFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("c.yaml"), "http:\n  port: 7070\n");

    assertThat(load(file, Map.of("UOW_HTTP__PORT", "9091")).http().port()).isEqualTo(9091);
  }

  // --- bad values name the key ---

  @Test
  void nonNumericPortFailsNamingTheKey() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_HTTP__PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port")
        .hasMessageContaining("abc");
  }

  @Test
  void outOfRangePortFailsNamingTheKey() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_HTTP__PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port");
  }

  @Test
  void badDurationFailsNamingTheKey() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unit_of_work.transaction_timeout")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__TRANSACTION_TIMEOUT", "10ms")))
        .as("below the 1 s minimum")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unit_of_work.transaction_timeout");
  }

  @Test
  void badBooleanFailsNamingTheKey() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_SECURITY__ENABLED", "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.enabled");
  }

  @Test
  void booleansAcceptCommonSpellings() throws Exception {
    assertThat(defaultsWith(Map.of("UOW_SECURITY__ENABLED", "yes")).security().enabled()).isTrue();
    assertThat(defaultsWith(Map.of("UOW_SECURITY__ENABLED", "ON")).security().enabled()).isTrue();
    assertThat(defaultsWith(Map.of("UOW_DATABASE__MYSQL__EMBEDDED", "0")).mysql().embedded()).isFalse();
  }

  @Test
  void defaultTypeMustBeASupportedType() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__SUPPORTED_ENTITY_TYPES", "user,order")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unit_of_work.default_entity_type")
        .hasMessageContaining("custom");
  }

  @Test
  void defaultTypeMayBeChangedTogetherWithTheSupportedTypes() throws Exception {
    AppConfig c = defaultsWith(Map.of(
        "UOW_UNIT_OF_WORK__SUPPORTED_ENTITY_TYPES", "user,order",
        "UOW_UNIT_OF_WORK__DEFAULT_ENTITY_TYPE", "user"));

    assertThat(c.units().defaultEntityType()).isEqualTo("user");
  }

  @Test
  void supportedTypesMayOnlyNameBuiltIns() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__SUPPORTED_ENTITY_TYPES", "custom,widget")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unit_of_work.supported_entity_types")
        .hasMessageContaining("widget");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__SUPPORTED_ENTITY_TYPES", " , ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unit_of_work.supported_entity_types");
  }

  @Test
  void otherInvalidValuesNameTheirKeys() {
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_CACHE__TYPE", "memcached")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.type");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_DATABASE__MYSQL__DATABASE", "drop table;")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("database.mysql.database");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_MESSAGE_QUEUE__TOPICS", "")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("message_queue.topics");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_UNIT_OF_WORK__MAX_ENTITIES", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unit_of_work.max_entities");
    assertThatThrownBy(() -> defaultsWith(Map.of("UOW_APP__NAME", "  ")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("app.name");
  }

  // --- config files ---

  @Test
  void missingConfigFileFails() {
    Path missing = tmp.resolve("nope.yaml");

    assertThatThrownBy(() -> load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("does not exist");
  }

  @Test
  void aYamlFileOverridesTheDefaultsKeyByKey() throws Exception {
    Path file = Files.writeString(tmp.resolve("custom.yaml"), """
        http:
          port: 7070
        unit_of_work:
          transaction_timeout: 5m
          supported_entity_types: [user, product, custom]
        validation_rules:
          max_name_length: 42
        """);

    AppConfig c = load(file, Map.of());

    assertThat(c.http().port()).isEqualTo(7070);
    assertThat(c.http().host()).as("untouched sibling keys keep their defaults").isEqualTo("0.0.0.0");
    assertThat(c.units().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.units().supportedEntityTypes()).containsExactly("user", "product", "custom");
    assertThat(c.units().defaultEntityType()).isEqualTo("custom");
    assertThat(c.limits()).isEqualTo(new UnitLimits(10_000, 42, 500));
    assertThat(c.mysql().database()).isEqualTo("unit_of_work");
  }

  @Test
  void badValueInTheFileFailsNamingTheKey() throws Exception {
    Path file = Files.writeString(tmp.resolve("bad.yaml"), "http:\n  port: not-a-port\n");

    assertThatThrownBy(() -> load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port");
  }

  @Test
  void malformedYamlFailsNamingTheFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("broken.yaml"), "http: [unclosed\n  port: 1\n");

    assertThatThrownBy(() -> load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("broken.yaml");
  }

  // --- the pieces, without Vert.x ---

  @Test
  void applyEnvironmentReplacesKnownKeysAndTheReaderTypesThem() {
    JsonObject tree = new JsonObject()
        .put("http", new JsonObject().put("port", 8080).put("host", "0.0.0.0"))
        .put("security", new JsonObject().put("allowed_origins", new JsonArray().add("*")));

    ConfigLoader.applyEnvironment(tree, Map.of(
        "UOW_HTTP__PORT", " 9090 ",
        "UOW_HTTP__HOST", "localhost",
        "UOW_SECURITY__ALLOWED_ORIGINS", "https://a.example, https://b.example",
        "UOW_SECURITY__UNKNOWN", "x",
        "UOW_NOPE__X", "y"));

    ConfigReader reader = new ConfigReader(tree);
    assertThat(reader.integer("http.port", 0, 65535)).isEqualTo(9090);
    assertThat(reader.string("http.host")).isEqualTo("localhost");
    assertThat(reader.list("security.allowed_origins")).containsExactly("https://a.example", "https://b.example");
    assertThat(tree.getJsonObject("security").containsKey("unknown")).isFalse();
    assertThat(tree.containsKey("nope")).isFalse();
  }

  @Test
  void environmentVariableNamesAreCaseInsensitiveAfterThePrefix() {
    JsonObject tree = new JsonObject().put("http", new JsonObject().put("port", 8080));

    ConfigLoader.applyEnvironment(tree, Map.of("UOW_http__Port", "1234", "uow_HTTP__PORT", "4321"));

    assertThat(new ConfigReader(tree).integer("http.port", 0, 65535)).isEqualTo(1234);
  }

  @Test
  void appConfigFromValidatesAWholeTree() throws Exception {
    JsonObject tree = defaultTree();
    tree.getJsonObject("http").put("port", 65536);

    assertThatThrownBy(() -> AppConfig.from(tree))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: http.port must be between 0 and 65535, got 65536");
  }

  @Test
  void appConfigKeepsACopyOfItsSource() throws Exception {
    JsonObject tree = defaultTree();

    AppConfig c = AppConfig.from(tree);
    tree.getJsonObject("http").put("port", 1);

    assertThat(c.source().getJsonObject("http").getInteger("port")).isEqualTo(8080);
  }
}
