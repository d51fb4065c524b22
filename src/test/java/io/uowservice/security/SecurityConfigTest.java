package io.uowservice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uowservice.testsupport.Jwts;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Security settings: weak secrets refused at start-up, RS256 keys, algorithm confusion")
class SecurityConfigTest {

  @Test
  void thePlaceholderSecretIsRefusedOnARealDatabase(Vertx vertx) {
    assertThatThrownBy(() -> ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true")))
        .hasMessageContaining("security.jwt_secret").hasMessageContaining("placeholder");
  }

  @Test
  void aSecretShorterThan32BytesIsRefusedUnlessTheDevFlagSaysOtherwise(Vertx vertx) {
    assertThatThrownBy(() -> ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_SECRET", "short-secret")))
        .hasMessageContaining("security.jwt_secret").hasMessageContaining("32 bytes");

    try (ServiceHarness dev = ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_SECRET", "short-secret", "UOW_SECURITY__ALLOW_WEAK_SECRET", "true"))) {
      String token = Jwts.hs256(Jwts.claims("dev", 60, "reader"), "short-secret".getBytes(StandardCharsets.UTF_8));
      assertThat(dev.send(HttpMethod.GET, "/api/v1/stats", null, Map.of("Authorization", "Bearer " + token))
          .status()).isEqualTo(200);
    }
  }

  @Test
  void es256TokensVerifyWithTheConfiguredEcPublicKey(Vertx vertx, @TempDir Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Path publicKey = Files.writeString(dir.resolve("ec.pem"), "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");

    try (ServiceHarness service = ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_ALGORITHM", "ES256", "UOW_SECURITY__JWT_PUBLIC_KEY_PATH", publicKey.toString()))) {
      String good = Jwts.es256(Jwts.claims("ec-user", 600, "reader"), pair.getPrivate());
      String none = Jwts.none(Jwts.claims("ec-user", 600, "admin"));

      assertThat(service.send(HttpMethod.GET, "/api/v1/stats", null, Map.of("Authorization", "Bearer " + good))
          .status()).isEqualTo(200);
      assertThat(service.send(HttpMethod.GET, "/api/v1/stats", null, Map.of("Authorization", "Bearer " + none))
          .status()).isEqualTo(401);
    }
  }

  @Test
  void rs256TokensVerifyWithThePublicKeyAndAnHs256TokenSignedWithThatKeyIsRefused(Vertx vertx, @TempDir Path dir)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Path publicKey = Files.writeString(dir.resolve("public.pem"), pem);

    try (ServiceHarness service = ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_ALGORITHM", "RS256", "UOW_SECURITY__JWT_PUBLIC_KEY_PATH", publicKey.toString(),
        "UOW_SECURITY__JWT_ISSUER", "https://issuer.example"))) {
      var claims = Jwts.claims("rsa-user", 600, "reader").put("iss", "https://issuer.example");
      String good = Jwts.rs256(claims, pair.getPrivate());
      String confused = Jwts.hs256(claims, pem.getBytes(StandardCharsets.UTF_8));
      String wrongIssuer = Jwts.rs256(Jwts.claims("rsa-user", 600, "reader").put("iss", "https://evil.example"),
          pair.getPrivate());

      assertThat(service.send(HttpMethod.GET, "/api/v1/stats", null, Map.of("Authorization", "Bearer " + good))
          .status()).isEqualTo(200);
      assertThat(service.send(HttpMethod.GET, "/api/v1/stats", null, Map.of("Authorization", "Bearer " + confused))
          .status()).isEqualTo(401);
      assertThat(service.send(HttpMethod.GET, "/api/v1/stats", null,
          Map.of("Authorization", "Bearer " + wrongIssuer)).status()).isEqualTo(401);
    }
  }
}
