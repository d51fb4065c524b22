package io.uowservice.http;

import io.vertx.core.buffer.Buffer;

/**
 * A single linear pass over raw JSON bytes that refuses hostile shapes before any parser or
 * recursive validator sees them: nesting deeper than a limit (stack exhaustion) and overlong
 * strings. It does not check the JSON is well formed; the parser does that afterwards.
 */
final class JsonShape {

  private JsonShape() {
  }

  /** Null when {@code json} is within the limits, else what is wrong (for a 400 detail). */
  static String check(Buffer json, int maxDepth, int maxStringBytes) {
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
      }
    }
    if (inString && length - stringStart > maxStringBytes) {
      return "a JSON string is longer than " + maxStringBytes + " bytes";
    }
    return null;
  }
}
