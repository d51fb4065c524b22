package io.uowservice.api;

import io.vertx.core.buffer.Buffer;

/**
 * A single linear pass over raw JSON bytes that refuses hostile shapes before any parser or
 * recursive validator sees them: nesting deeper than a limit (stack exhaustion) and overlong
 * strings. It does not check the JSON is well formed; the parser does that afterwards. What the
 * parser would read other than JSON — comments ({@code /* *}{@code /}, {@code //}, {@code #}) and
 * single-quoted strings, which Vert.x's parser accepts — is refused here, so the parser never
 * reads anything this pass did not measure.
 */
public final class JsonShape {

  /** Request bodies and Kafka commands: nesting and string length a client may send. */
  public static final int MAX_DEPTH = 32;
  public static final int MAX_STRING_BYTES = 65_536;

  private JsonShape() {
  }

  /** Null when {@code json} is within the limits, else what is wrong (for a 400 detail). */
  public static String check(Buffer json, int maxDepth, int maxStringBytes) {
    int depth = 0;
    boolean inString = false;
    int stringStart = 0;
    int length = json.length();
    for (int i = 0; i < length; i++) {
      byte b = json.getByte(i);
      if (inString) {
        if (b == '\\') {
          i++; // the escaped byte cannot end the string
        } else if (b == '"') {
          inString = false;
          if (i - stringStart > maxStringBytes) {
            return "a JSON string is longer than " + maxStringBytes + " bytes";
          }
        }
      } else if (b == '"') {
        inString = true;
        stringStart = i + 1;
      } else if (b == '{' || b == '[') {
        if (++depth > maxDepth) {
          return "the JSON nests deeper than " + maxDepth + " levels";
        }
      } else if (b == '}' || b == ']') {
        depth--;
      } else if (b == '/' || b == '#' || b == '\'') {
        return "the body is not JSON: comments and single-quoted strings are not allowed";
      }
    }
    if (inString && length - stringStart > maxStringBytes) {
      return "a JSON string is longer than " + maxStringBytes + " bytes";
    }
    return null;
  }
}
