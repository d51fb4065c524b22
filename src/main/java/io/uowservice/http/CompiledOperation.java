package io.uowservice.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One operation of {@code openapi.yaml} compiled: its parameters and its JSON body checked on the
 * event loop by {@link CompiledSchema}s, the values checked being the ones the routes read (the
 * decoded path parameter, the header, the first query value). Built from the same document the
 * library reads; an operation using anything this does not implement stays with the library.
 */
record CompiledOperation(List<Parameter> parameters, boolean hasBody, boolean bodyRequired, CompiledSchema body) {

  private static final Pattern JSON_INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

  enum In { PATH, QUERY, HEADER }

  record Parameter(In in, String name, boolean required, boolean integer, CompiledSchema schema) {
    /** "query limit", as the problem's {@code field} names a parameter. */
    String field() {
      return in.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
    }

    /** The value as the library types it: an integer parameter's digits as a number, anything else a string. */
    Object typed(String raw) {
      if (!integer || !JSON_INTEGER.matcher(raw).matches()) {
        return raw;
      }
      return raw.length() < 19 ? (Object) Long.parseLong(raw) : new BigInteger(raw);
    }
  }

  /**
   * Compiles every operation of the raw document (the YAML as JSON) by operationId; operations that
   * do not compile are left out (with the reason in {@code skipped}).
   */
  static Map<String, CompiledOperation> compileAll(JsonObject document, Map<String, String> skipped) {
    Function<String, JsonObject> refs = ref -> resolve(document, ref);
    Map<String, CompiledOperation> compiled = new HashMap<>();
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject operation) || operation.getString("operationId") == null) {
          continue;
        }
        String id = operation.getString("operationId");
        try {
          if (item.containsKey("parameters")) {
            throw new CompiledSchema.Unsupported("path-level parameters");
          }
          compiled.put(id, compile(operation, refs));
        } catch (CompiledSchema.Unsupported | ClassCastException e) {
          skipped.put(id, e.getMessage());
        }
      }
    }
    return compiled;
  }

  private static CompiledOperation compile(JsonObject operation, Function<String, JsonObject> refs) {
    List<Parameter> parameters = new ArrayList<>();
    for (Object p : operation.getJsonArray("parameters", new JsonArray())) {
      JsonObject parameter = dereference((JsonObject) p, refs);
      In in = switch (parameter.getString("in")) {
        case "path" -> In.PATH;
        case "query" -> In.QUERY;
        case "header" -> In.HEADER;
        default -> throw new CompiledSchema.Unsupported("parameter in " + parameter.getString("in"));
      };
      if (parameter.containsKey("style") || parameter.containsKey("explode") || parameter.containsKey("content")) {
        throw new CompiledSchema.Unsupported("parameter style, explode or content");
      }
      JsonObject schema = dereference(parameter.getJsonObject("schema"), refs);
      Object type = schema.getValue("type");
      if (!"string".equals(type) && !"integer".equals(type)) {
        throw new CompiledSchema.Unsupported("parameter of type " + type);
      }
      parameters.add(new Parameter(in, parameter.getString("name"), parameter.getBoolean("required", false),
          "integer".equals(type), CompiledSchema.compile(schema, refs)));
    }
    JsonObject requestBody = operation.getJsonObject("requestBody");
    if (requestBody == null) {
      return new CompiledOperation(List.copyOf(parameters), false, false, null);
    }
    requestBody = dereference(requestBody, refs);
    JsonObject content = requestBody.getJsonObject("content", new JsonObject());
    if (content.size() != 1 || !content.containsKey("application/json")) {
      throw new CompiledSchema.Unsupported("a body other than application/json");
    }
    JsonObject schema = content.getJsonObject("application/json").getJsonObject("schema");
    // the library resolves a body schema that is a $ref (its nested $refs it follows while validating)
    return new CompiledOperation(List.copyOf(parameters), true, requestBody.getBoolean("required", false),
        schema == null ? null : CompiledSchema.compile(dereference(schema, refs), refs));
  }

  private static JsonObject dereference(JsonObject object, Function<String, JsonObject> refs) {
    if (object.containsKey("$ref")) {
      JsonObject target = refs.apply(object.getString("$ref"));
      if (target == null || object.size() != 1) {
        throw new CompiledSchema.Unsupported("$ref " + object.getString("$ref"));
      }
      return dereference(target, refs);
    }
    return object;
  }

  /** A local reference ({@code #/components/...}) into the document; null otherwise. */
  private static JsonObject resolve(JsonObject document, String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    Object at = document;
    for (String part : ref.substring(2).split("/")) {
      if (!(at instanceof JsonObject object)) {
        return null;
      }
      at = object.getValue(part.replace("~1", "/").replace("~0", "~"));
    }
    return at instanceof JsonObject object ? object : null;
  }
}
