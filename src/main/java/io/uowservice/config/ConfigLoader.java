package io.uowservice.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the configuration with vertx-config: built-in defaults (the shipped conf/config.yaml, on
 * the classpath), then the config file, then {@code UOW_*} environment variables.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "UOW_";
  static final String DEFAULTS_RESOURCE = "io/uowservice/config.yaml";
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  private ConfigLoader() {
  }

  /**
   * @param file the config file, or null to use {@code conf/config.yaml} when it exists
   * @param env  environment variables (only {@code UOW_*} ones are read)
   */
  public static Future<AppConfig> load(Vertx vertx, Path file, Map<String, String> env) {
    Path chosen = file;
    if (chosen == null && Files.isRegularFile(Path.of("conf", "config.yaml"))) {
      chosen = Path.of("conf", "config.yaml");
    }
    if (chosen != null && !Files.isRegularFile(chosen)) {
      return Future.failedFuture(new ConfigException("config file " + chosen + " does not exist"));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(-1)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(defaults()));
    if (chosen != null) {
      options.addStore(yaml(chosen.toAbsolutePath().toString()));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    Path source = chosen;
    return retriever.getConfig()
        .recover(err -> Future.failedFuture(new ConfigException("cannot read configuration"
            + (source == null ? "" : " from " + source) + ": " + err.getMessage())))
        .map(tree -> {
          applyEnvironment(tree, env);
          AppConfig config = AppConfig.from(tree);
          LOG.info("configuration loaded from {}", source == null ? "built-in defaults" : source);
          return config;
        })
        .onComplete(ar -> retriever.close());
  }

  /** The built-in defaults (the jar's copy of the documented config), read without Vert.x's file resolver. */
  static JsonObject defaults() {
    String text = new String(ClasspathResources.bytes(DEFAULTS_RESOURCE), java.nio.charset.StandardCharsets.UTF_8);
    return new JsonObject(io.vertx.core.json.Json.encode(new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(text)));
  }

  private static ConfigStoreOptions yaml(String path) {
    return new ConfigStoreOptions().setType("file").setFormat("yaml").setConfig(new JsonObject().put("path", path));
  }

  /**
   * {@code UOW_DATABASE__MYSQL__HOST=db} sets {@code database.mysql.host}. Values take the type of
   * the key they replace; lists are comma-separated. Variables naming no known key are ignored
   * (with a warning when their first level is a known section), so unrelated UOW_* variables of a
   * test or CI environment do no harm.
   */
  static void applyEnvironment(JsonObject tree, Map<String, String> env) {
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX) || name.length() == ENV_PREFIX.length()) {
        continue;
      }
      String[] path = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("__");
      JsonObject parent = tree;
      for (int i = 0; i < path.length - 1 && parent != null; i++) {
        Object child = parent.getValue(path[i]);
        parent = child instanceof JsonObject obj ? obj : null;
      }
      String leaf = path[path.length - 1];
      if (parent == null || !parent.containsKey(leaf) || parent.getValue(leaf) instanceof JsonObject) {
        if (tree.containsKey(path[0])) {
          LOG.warn("environment variable {} names no configuration key; ignored", name);
        }
        continue;
      }
      // kept as text: AppConfig types every key (lists split on commas) and names the key on a bad value
      parent.put(leaf, e.getValue());
    }
  }

}
