package io.uowservice.bus;

import java.util.regex.Pattern;

/**
 * An Idempotency-Key and the hash of the request it came with
 * ({@link io.uowservice.api.RequestHashes}); a request without a key has none (null).
 */
public record Idempotency(String key, String requestHash) {

  /** What an Idempotency-Key may be, over HTTP and Kafka alike: 1-255 printable ASCII characters. */
  public static final Pattern KEY_FORMAT = Pattern.compile("[\\x21-\\x7E]{1,255}");

  public static boolean isValidKey(String key) {
    return key != null && KEY_FORMAT.matcher(key).matches();
  }
}
