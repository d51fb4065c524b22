package io.uowservice.http;

import io.uowservice.api.JsonShape;

import io.uowservice.api.Problem;
import io.uowservice.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each request against the operation of {@code openapi.yaml} bound to its route (by method
 * and path template), so the served contract and the code cannot drift apart. Runs after the role
 * check (401/403 come first) and before the route's own handler; failures are 400 problems naming
 * the failing location, a non-JSON body is 415.
 */
final class ContractValidation {

  static final String RESOURCE = "openapi.yaml";
  /** Deeper JSON is refused before it is parsed: no legitimate body nests this far. */
  static final int MAX_DEPTH = JsonShape.MAX_DEPTH;
  /** Any one JSON string (key or value) longer than this many bytes is refused before parsing. */
  static final int MAX_STRING_BYTES = JsonShape.MAX_STRING_BYTES;

  private static final Logger LOG = LoggerFactory.getLogger(ContractValidation.class);
  private static final Pattern ROUTE_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
  private static final Pattern PARAMETER_MESSAGE = Pattern.compile("(path|query|header|cookie) parameter ([^ :]+)");

  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final Map<String, Operation> operations = new HashMap<>();

  private final CachedValidators validators = new CachedValidators();

  private ContractValidation(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    // the contract with one validator per schema: the library would build one per parameter per request
    this.validator = RequestValidator.create(vertx, validators.wrap(contract));
    contract.operations().forEach(op -> operations.put(key(op.getHttpMethod(), op.getOpenAPIPath()), op));
  }

  /**
   * Resolves the contract from the document's text. Responses only document what the service
   * answers (nothing validates them), and the library refuses media types it cannot validate,
   * such as application/problem+json, so their content is dropped from the validator's copy.
   */
  static Future<ContractValidation> load(Vertx vertx, Buffer document) {
    JsonObject raw;
    try {
      raw = new JsonObject(Json.encode(new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(document.toString())));
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException(RESOURCE + " is not valid YAML: " + e.getMessage(), e));
    }
    raw.getJsonObject("paths", new JsonObject()).forEach(path -> ((JsonObject) path.getValue()).forEach(op -> {
      if (op.getValue() instanceof JsonObject operation && operation.getValue("responses") instanceof JsonObject responses) {
        responses.forEach(r -> ((JsonObject) r.getValue()).remove("content"));
      }
    }));
    raw.getJsonObject("components", new JsonObject()).getJsonObject("responses", new JsonObject())
        .forEach(r -> ((JsonObject) r.getValue()).remove("content"));
    return OpenAPIContract.from(vertx, raw).map(contract -> new ContractValidation(vertx, contract));
  }

  /** Validators kept for the contract's schemas (for tests). */
  int cachedValidators() {
    return validators.size();
  }

  OpenAPIContract contract() {
    return contract;
  }

  /** The operation serving {@code method} on a Vert.x route path ({@code /a/:id} is {@code /a/{id}}), or null. */
  Operation operation(HttpMethod method, String routePath) {
    return operations.get(key(method, routePath == null ? null : ROUTE_PARAM.matcher(routePath).replaceAll("{$1}")));
  }

  private static String key(HttpMethod method, String path) {
    return method.name() + " " + path;
  }

  /** Validates, then {@code ctx.next()}; or answers a problem. */
  void validate(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    Operation operation = operation(ctx.request().method(), route == null ? null : route.getPath());
    if (operation == null) {
      // a route without an operation is a build bug (ContractDriftTest); fail closed
      LOG.error("no operation in {} for {} {}", RESOURCE, ctx.request().method(), route == null ? null : route.getPath());
      Responses.problem(ctx, Problem.of(500, "internal-error", "Internal server error",
          "the service failed to handle the request"));
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    boolean hasBody = body != null && body.length() > 0;
    if (hasBody && operation.getRequestBody() != null) {
      String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (contentType != null && !isJson(contentType) && !(lenientJson(contentType) && looksLikeJson(body))) {
        Responses.problem(ctx, Problem.of(415, "unsupported-media-type", "Unsupported media type",
            "the body must be application/json"));
        return;
      }
      if (!isUtf8(body)) {
        // JSON is UTF-8; a lenient decode would store U+FFFD (or an overlong '/') in place of the bytes
        Responses.problem(ctx, Problem.badRequest("the body is not valid UTF-8"));
        return;
      }
      String shape = JsonShape.check(body, MAX_DEPTH, MAX_STRING_BYTES);
      if (shape != null) {
        Responses.problem(ctx, Problem.badRequest(shape));
        return;
      }
    }
    Buffer supplied = hasBody ? body : Buffer.buffer();
    // compose, not a direct call: extraction throws (e.g. on a bad %-escape) instead of failing the future
    Future.succeededFuture().compose(v -> RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(supplied)))
        .map(JsonRequest::new)
        .compose(request -> validator.validate(request, operation.getOperationId()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            ctx.next();
          } else {
            Responses.problem(ctx, problem(ar.cause()));
          }
        });
  }

  static boolean isUtf8(Buffer body) {
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body.getBytes()));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  /** JSON is the only body this API reads; a missing Content-Type is taken as JSON (curl -d habits). */
  static boolean isJson(String contentType) {
    String media = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
  }

  /**
   * {@code curl -d '{...}'} sends form-urlencoded and some clients send text/plain; a body that is
   * plainly a JSON object or array under those types is read as JSON rather than refused (a real
   * form, "a=1&b=2", is still 415).
   */
  static boolean lenientJson(String contentType) {
    String media = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return media.equals("application/x-www-form-urlencoded") || media.equals("text/plain");
  }

  static boolean looksLikeJson(Buffer body) {
    for (int i = 0; i < body.length(); i++) {
      byte b = body.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  /** A validation failure as a 400 problem with {@code errors:[{field, message}]}. */
  static Problem problem(Throwable failure) {
    JsonArray errors = new JsonArray();
    String detail;
    if (failure instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      detail = "the request does not match the API contract";
      String prefix = field(schema.getMessage());
      Map<String, String> byField = new java.util.LinkedHashMap<>();
      collect(schema.getOutputUnit(), prefix, byField);
      // the failing leaves only: "operations" goes when "operations[0].op" is named
      byField.forEach((field, message) -> {
        boolean ancestor = byField.keySet().stream().anyMatch(other -> !other.equals(field)
            && (field.equals("body") || other.startsWith(field + ".") || other.startsWith(field + "[")));
        if (!ancestor) {
          errors.add(error(field, message));
        }
      });
      if (errors.isEmpty()) {
        errors.add(error(prefix == null ? "body" : prefix, schema.getMessage()));
      }
    } else if (failure instanceof ValidatorException invalid) {
      detail = invalid.getMessage();
      // a parameter names itself; otherwise the body, or the request line (a bad %-escape) is at fault
      String field = field(invalid.getMessage());
      errors.add(error(field != null ? field : invalid.getMessage() != null && invalid.getMessage().contains("URL")
          ? "request" : "body", invalid.getMessage()));
    } else if (failure instanceof io.vertx.core.json.DecodeException) {
      detail = "the body is not valid JSON";
    } else {
      return Problem.from(failure);
    }
    return new Problem(400, "bad-request", "Bad request", detail == null ? "the request is malformed" : detail,
        errors, null);
  }

  /** "header Idempotency-Key" etc. for parameter failures; null for the body. */
  private static String field(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = PARAMETER_MESSAGE.matcher(message);
    return m.find() ? m.group(1) + " " + m.group(2) : null;
  }

  /**
   * One message per failing location (as {@code operations[2].name}): the most specific one, as the
   * validator also reports every enclosing "Property ... does not match schema".
   */
  private static void collect(OutputUnit unit, String prefix, Map<String, String> out) {
    List<OutputUnit> nested = unit.getErrors();
    if (nested != null && !nested.isEmpty()) {
      nested.forEach(n -> collect(n, prefix, out));
      return;
    }
    if (unit.getError() != null) {
      String location = pointerToField(unit.getInstanceLocation());
      String field = prefix != null ? prefix : location.isEmpty() ? "body" : location;
      String known = out.get(field);
      if (known == null && out.size() < 20 || known != null && known.startsWith("Property \"")
          && !unit.getError().startsWith("Property \"")) {
        out.put(field, unit.getError());
      }
    }
  }

  /** "/operations/2/name" (or "#/...") as "operations[2].name". */
  static String pointerToField(String pointer) {
    if (pointer == null) {
      return "";
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    StringBuilder out = new StringBuilder();
    for (String raw : p.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String part = raw.replace("~1", "/").replace("~0", "~");
      if (part.chars().allMatch(Character::isDigit)) {
        out.append('[').append(part).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(part);
      }
    }
    return out.toString();
  }

  private static JsonObject error(String field, String message) {
    return new JsonObject().put("field", Responses.clip(field, 128)).put("message", Responses.clip(message, 256));
  }

  /** The extracted request with its body read as JSON whatever Content-Type said (checked above). */
  private record JsonRequest(ValidatableRequest request) implements ValidatableRequest {
    @Override
    public Map<String, RequestParameter> getCookies() {
      return request.getCookies();
    }

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return request.getPathParameters();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return request.getQuery();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return request.getHeaders();
    }

    @Override
    public RequestParameter getBody() {
      return request.getBody();
    }

    @Override
    public String getContentType() {
      return "application/json";
    }
  }
}
