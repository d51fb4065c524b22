package io.uowservice.security;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Bearer JWT verification (and minting, for the token command) with vertx-auth-jwt. Only the
 * configured algorithm has a key, so {@code alg: none} and algorithm confusion (an HS256 token
 * signed with an RSA public key) find no key and fail; {@code exp} is required.
 */
public final class JwtSecurity {

  /** Who a verified token speaks for. */
  public record Principal(String subject, Set<Role> roles) {
  }

  /** A token that must not be accepted; the message is safe to show the client. */
  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String message) {
      super(message, null, false, false);
    }
  }

  private static final int MIN_SECRET_BYTES = 32;

  private final JWTAuth auth;
  private final AppConfig.Security settings;

  private JwtSecurity(JWTAuth auth, AppConfig.Security settings) {
    this.auth = auth;
    this.settings = settings;
  }

  /** Verifies tokens with the configured key; blocking file reads, so call it off the event loop or at start-up. */
  public static JwtSecurity create(Vertx vertx, AppConfig.Security settings) {
    JWTOptions jwt = new JWTOptions().setLeeway((int) settings.clockSkew().toSeconds()).setIgnoreExpiration(false);
    if (!settings.jwtIssuer().isEmpty()) {
      jwt.setIssuer(settings.jwtIssuer());
    }
    if (!settings.jwtAudience().isEmpty()) {
      jwt.setAudience(List.of(settings.jwtAudience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwt);
    if ("HS256".equals(settings.jwtAlgorithm())) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.jwtSecret()));
    } else {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.jwtAlgorithm())
          .setBuffer(readPem("security.jwt_public_key_path", settings.jwtPublicKeyPath())));
      if (!settings.jwtPrivateKeyPath().isEmpty()) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.jwtAlgorithm())
            .setBuffer(readPem("security.jwt_private_key_path", settings.jwtPrivateKeyPath())));
      }
    }
    return new JwtSecurity(JWTAuth.create(vertx, options), settings);
  }

  public Future<Principal> verify(String token) {
    return auth.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(new InvalidToken(describe(err))))
        .compose(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          if (!claims.containsKey("exp")) {
            return Future.failedFuture(new InvalidToken("the token has no exp claim"));
          }
          String subject = claims.getString("sub");
          if (subject == null || subject.isBlank()) {
            return Future.failedFuture(new InvalidToken("the token has no sub claim"));
          }
          Object roles = claims.getValue("roles");
          Set<Role> granted = roles instanceof JsonArray list ? Role.fromClaims(list)
              : roles instanceof String text ? Role.fromClaims(List.of(text.split("[ ,]+"))) : Set.of();
          return Future.succeededFuture(new Principal(subject, granted));
        });
  }

  /** A signed token for the operators' token command. */
  public String mint(String subject, List<String> roles, Duration ttl) {
    if (!"HS256".equals(settings.jwtAlgorithm()) && settings.jwtPrivateKeyPath().isEmpty()) {
      throw new ConfigException("security.jwt_private_key_path", "is needed to sign " + settings.jwtAlgorithm()
          + " tokens");
    }
    JWTOptions options = new JWTOptions().setAlgorithm(settings.jwtAlgorithm()).setSubject(subject)
        .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttl.toSeconds()));
    if (!settings.jwtIssuer().isEmpty()) {
      options.setIssuer(settings.jwtIssuer());
    }
    if (!settings.jwtAudience().isEmpty()) {
      options.setAudience(List.of(settings.jwtAudience()));
    }
    return auth.generateToken(new JsonObject().put("roles", new JsonArray(roles)), options);
  }

  private static String describe(Throwable err) {
    String message = err.getMessage() == null ? "" : err.getMessage().toLowerCase(java.util.Locale.ROOT);
    if (message.contains("expired")) {
      return "the token has expired";
    }
    if (message.contains("signature")) {
      return "the token's signature does not verify";
    }
    if (message.contains("algorithm") || message.contains("none")) {
      return "the token's algorithm is not accepted";
    }
    return "the token is not valid";
  }

  private static String readPem(String key, String path) {
    if (path.isEmpty()) {
      throw new ConfigException(key, "must name a PEM file for this algorithm");
    }
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot be read: " + e.getMessage());
    }
  }

  /**
   * The HS256 secret to run with. With security on, the seed's placeholder (or no secret) is
   * refused — except on the embedded default, which generates a random secret once and keeps it
   * beside its data so the token command finds it. Shorter than 32 bytes is refused unless
   * {@code security.allow_weak_secret} says this is a development box.
   */
  public static String resolveSecret(AppConfig config) {
    AppConfig.Security s = config.security();
    if (!s.enabled() || !"HS256".equals(s.jwtAlgorithm())) {
      return s.jwtSecret();
    }
    boolean placeholder = s.jwtSecret().isBlank() || AppConfig.Security.PLACEHOLDER_SECRET.equals(s.jwtSecret());
    if (placeholder && config.mysql().embedded() && !s.allowWeakSecret()) {
      return generatedSecret(secretFile(config));
    }
    if (!s.allowWeakSecret()) {
      if (placeholder) {
        throw new ConfigException("security.jwt_secret", "is the placeholder '" + AppConfig.Security.PLACEHOLDER_SECRET
            + "': set a random secret of at least " + MIN_SECRET_BYTES + " bytes (UOW_SECURITY__JWT_SECRET)");
      }
      if (s.jwtSecret().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new ConfigException("security.jwt_secret", "must be at least " + MIN_SECRET_BYTES
            + " bytes (or set security.allow_weak_secret for development)");
      }
    }
    return s.jwtSecret();
  }

  public static Path secretFile(AppConfig config) {
    Path data = config.mysql().dataDir().toAbsolutePath().normalize();
    return (data.getParent() == null ? data : data.getParent()).resolve("jwt-secret");
  }

  private static String generatedSecret(Path file) {
    try {
      if (Files.isRegularFile(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.createDirectories(file.getParent());
      byte[] bytes = new byte[48];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Files.writeString(file, secret, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      return secret;
    } catch (IOException e) {
      throw new ConfigException("security.jwt_secret", "is the placeholder and no secret could be generated in "
          + file + ": " + e.getMessage());
    }
  }
}
