package io.uowservice.testsupport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made JWTs for tests, including the malformed and hostile ones a real client library won't produce. */
public final class Jwts {

  private Jwts() {
  }

  public static JsonObject claims(String subject, long expiresInSeconds, String... roles) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", subject).put("iat", now).put("exp", now + expiresInSeconds)
        .put("roles", new JsonArray(java.util.List.of((Object[]) roles)));
  }

  public static String hs256(JsonObject claims, byte[] secret) {
    String signingInput = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String rs256(JsonObject claims, PrivateKey key) {
    return signed("RS256", "SHA256withRSA", claims, key);
  }

  public static String es256(JsonObject claims, PrivateKey key) {
    // JOSE wants the raw R||S pair, not DER
    return signed("ES256", "SHA256withECDSAinP1363Format", claims, key);
  }

  private static String signed(String alg, String javaAlgorithm, JsonObject claims, PrivateKey key) {
    String signingInput = part(new JsonObject().put("alg", alg).put("typ", "JWT")) + "." + part(claims);
    try {
      Signature signature = Signature.getInstance(javaAlgorithm);
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The classic attack: an unsigned token claiming {@code alg: none}. */
  public static String none(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String part(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
