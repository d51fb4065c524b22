package io.uowservice.api;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What an Idempotency-Key is bound to: a hash of the request it first came with. One formula for
 * every channel, so a key used over HTTP and then over Kafka still finds its first outcome.
 */
public final class RequestHashes {

  private RequestHashes() {
  }

  /** A transaction: its body, re-encoded (whitespace and formatting do not make another request). */
  public static String transaction(JsonObject body) {
    return sha256("transactions " + body.encode());
  }

  /** A commit of one unit (null: the caller's default unit). */
  public static String commit(String unitId) {
    return sha256("commit " + (unitId == null ? "default" : unitId));
  }

  /** What a unit's commit is bound to: the request ({@link #commit}) and the unit's content at that moment. */
  public static String content(String requestHash, String fingerprint) {
    return sha256(requestHash + "\n" + fingerprint);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
