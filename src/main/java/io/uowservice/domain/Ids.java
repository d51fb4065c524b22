package io.uowservice.domain;

import java.util.UUID;
import java.util.regex.Pattern;

/** Entity ids: client-chosen or server-generated UUIDs. */
public final class Ids {

  public static final int MAX_LENGTH = 64;
  private static final Pattern ALLOWED = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$");

  private Ids() {
  }

  public static String generate() {
    return UUID.randomUUID().toString();
  }

  /** Ids travel in URL paths and keys; keep them to a safe alphabet. */
  public static boolean isValid(String id) {
    return id != null && ALLOWED.matcher(id).matches();
  }
}
