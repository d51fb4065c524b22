package io.uowservice.security;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigException;
import io.uowservice.config.ConfigLoader;
import io.uowservice.config.Durations;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar unit-of-work-service.jar token --sub alice --roles writer,reader --ttl 1h [--config FILE]}:
 * prints a token signed with the key the service would verify it with (the same config file,
 * environment and, on the embedded default, the same generated secret).
 */
public final class TokenCommand {

  static final String USAGE = "usage: java -jar unit-of-work-service.jar token --sub SUBJECT "
      + "[--roles reader,writer,admin] [--ttl 1h] [--config FILE]";

  private TokenCommand() {
  }

  /** Returns the process exit status. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String subject = null;
    String roles = "reader";
    String ttl = "1h";
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--sub" -> subject = value;
        case "--roles" -> roles = value;
        case "--ttl" -> ttl = value;
        case "--config" -> configFile = value == null ? null : Path.of(value);
        default -> {
          err.println("unknown option " + args[i] + "\n" + USAGE);
          return 2;
        }
      }
      i++;
      if (value == null) {
        err.println(args[i - 1] + " needs a value\n" + USAGE);
        return 2;
      }
    }
    if (subject == null || subject.isBlank()) {
      err.println("--sub is required\n" + USAGE);
      return 2;
    }
    List<String> roleList = new ArrayList<>();
    for (String role : roles.split(",")) {
      String r = role.trim();
      if (Role.fromClaims(List.of(r)).isEmpty()) {
        err.println("unknown role '" + r + "': use reader, writer, admin");
        return 2;
      }
      roleList.add(r);
    }
    Duration lifetime;
    try {
      lifetime = Durations.parse(ttl);
    } catch (RuntimeException e) {
      err.println("--ttl must be a duration such as 3600, 30m or 1h");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      AppConfig loaded = ConfigLoader.load(vertx, configFile, env).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      JsonObject source = loaded.source();
      source.getJsonObject("security").put("enabled", true);
      AppConfig config = AppConfig.from(source);
      source.getJsonObject("security").put("jwt_secret", JwtSecurity.resolveSecret(config));
      out.println(JwtSecurity.create(vertx, AppConfig.from(source).security()).mint(subject, roleList, lifetime));
      return 0;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    } catch (java.util.concurrent.ExecutionException e) {
      err.println(e.getCause().getMessage());
      return 2;
    } catch (Exception e) {
      err.println("could not mint a token: " + e.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }
}
