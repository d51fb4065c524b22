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
  private final OpenAPIContract validating;
  private final RequestValidator validator;
  private final Map<String, Operation> operations = new HashMap<>();

  private final CachedValidators validators = new CachedValidators();
  /** The operations checked by compiled schemas on the event loop; the others go through the library. */
  private final Map<String, CompiledOperation> compiled;

  private ContractValidation(Vertx vertx, OpenAPIContract contract, JsonObject document) {
    this.contract = contract;
    Map<String, String> skipped = new java.util.TreeMap<>();
    this.compiled = CompiledOperation.compileAll(document, skipped);
    skipped.forEach((id, why) -> LOG.warn("operation {} is validated by vertx-openapi, not compiled: {}", id, why));
    // the contract with one validator per schema: the library would build one per parameter per request
    this.validating = validators.wrap(contract);
    this.validator = RequestValidator.create(vertx, validating);
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
    return OpenAPIContract.from(vertx, raw.copy()).map(contract -> new ContractValidation(vertx, contract, raw));
  }

  /** The operations validated by compiled schemas (for tests). */
  java.util.Set<String> compiledOperations() {
    return java.util.Collections.unmodifiableSet(compiled.keySet());
  }

  /** The compiled operation (for tests); null if it is validated by the library. */
  CompiledOperation compiled(String operationId) {
    return compiled.get(operationId);
  }

  /** What the library's validator finds in {@code instance} as a body of the operation (for tests); null if valid. */
  List<CompiledSchema.Failure> libraryFailures(String operationId, Object instance) {
    OutputUnit result = validating.getSchemaRepository()
        .validator(contract.operation(operationId).getRequestBody().getContent().get("application/json").getSchema())
        .validate(instance);
    if (result.getValid()) {
      return null;
    }
    List<CompiledSchema.Failure> leaves = new java.util.ArrayList<>();
    flatten(result, leaves);
    return leaves;
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
    CompiledOperation checks = compiled.get(operation.getOperationId());
    if (checks != null) {
      Problem problem = check(ctx, checks, hasBody ? body : null);
      if (problem == null) {
        ctx.next();
      } else {
        Responses.problem(ctx, problem);
      }
      return;
    }
    validateByLibrary(ctx, operation, hasBody ? body : Buffer.buffer());
  }

  /** The library's validation (on a worker thread, as it runs it), for operations that did not compile. */
  void validateByLibrary(RoutingContext ctx, Operation operation, Buffer supplied) {
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

  /**
   * The compiled checks, in the library's order (parameters as declared, then the body) and with
   * its problems; the decoded body is kept for the route ({@link Requests#jsonBody}). Null if valid.
   */
  static Problem check(RoutingContext ctx, CompiledOperation operation, Buffer body) {
    for (CompiledOperation.Parameter p : operation.parameters()) {
      String raw = switch (p.in()) {
        case PATH -> ctx.pathParam(p.name());
        case QUERY -> ctx.request().getParam(p.name());
        case HEADER -> ctx.request().getHeader(p.name());
      };
      if (raw == null) {
        if (p.required()) {
          return invalid("The related request / response does not contain the required "
              + p.in().name().toLowerCase(java.util.Locale.ROOT) + " parameter " + p.name());
        }
        continue;
      }
      CompiledSchema.Failures failures = new CompiledSchema.Failures();
      if (!p.schema().validate(p.typed(raw), CompiledSchema.Location.ROOT, failures)) {
        return mismatch(p.field(), failures.list);
      }
    }
    if (!operation.hasBody()) {
      return null;
    }
    if (body == null) {
      return operation.bodyRequired() ? invalid("The related request does not contain the required body.") : null;
    }
    Object value;
    try {
      // as text: from bytes, Jackson would detect UTF-16 or UTF-32 and decode what the UTF-8 and
      // JsonShape checks above misread (a 1.5 MB string passed the 64 KiB string limit that way)
      value = Json.decodeValue(body.toString(java.nio.charset.StandardCharsets.UTF_8));
    } catch (io.vertx.core.json.DecodeException e) {
      return invalid("The request body can't be decoded");
    }
    if (operation.body() != null) {
      CompiledSchema.Failures failures = new CompiledSchema.Failures();
      if (!operation.body().validate(value, CompiledSchema.Location.ROOT, failures)) {
        return mismatch(null, failures.list);
      }
    }
    ctx.put(Requests.DECODED_BODY, value);
    return null;
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
    if (failure instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      List<CompiledSchema.Failure> leaves = new java.util.ArrayList<>();
      flatten(schema.getOutputUnit(), leaves);
      Problem problem = mismatch(field(schema.getMessage()), leaves);
      return problem.errors().isEmpty() ? mismatch(field(schema.getMessage()), List.of(new CompiledSchema.Failure(
          "", schema.getMessage()))) : problem;
    } else if (failure instanceof ValidatorException invalid) {
      return invalid(invalid.getMessage());
    } else if (failure instanceof io.vertx.core.json.DecodeException) {
      return new Problem(400, "bad-request", "Bad request", "the body is not valid JSON", new JsonArray(), null);
    }
    return Problem.from(failure);
  }

  /** A request that breaks a rule of the contract outside a schema (a missing parameter or body, no JSON). */
  private static Problem invalid(String message) {
    // a parameter names itself; otherwise the body, or the request line (a bad %-escape) is at fault
    String field = field(message);
    JsonArray errors = new JsonArray().add(error(field != null ? field : message != null && message.contains("URL")
        ? "request" : "body", message));
    return new Problem(400, "bad-request", "Bad request", message == null ? "the request is malformed" : message,
        errors, null);
  }

  /**
   * Schema failures as the problem's errors: one per failing location (as {@code operations[2].name},
   * or the parameter's name), the most specific message, the failing leaves only ("operations" goes
   * when "operations[0].op" is named), at most 20.
   */
  static Problem mismatch(String prefix, List<CompiledSchema.Failure> failures) {
    Map<String, String> byField = new java.util.LinkedHashMap<>();
    for (CompiledSchema.Failure f : failures) {
      String location = pointerToField(f.pointer());
      String field = prefix != null ? prefix : location.isEmpty() ? "body" : location;
      String known = byField.get(field);
      if (known == null && byField.size() < 20 || known != null && known.startsWith("Property \"")
          && !f.message().startsWith("Property \"")) {
        byField.put(field, f.message());
      }
    }
    JsonArray errors = new JsonArray();
    byField.forEach((field, message) -> {
      boolean ancestor = byField.keySet().stream().anyMatch(other -> !other.equals(field)
          && (field.equals("body") || other.startsWith(field + ".") || other.startsWith(field + "[")));
      if (!ancestor) {
        errors.add(error(field, message));
      }
    });
    return new Problem(400, "bad-request", "Bad request", "the request does not match the API contract", errors, null);
  }

  /** "header Idempotency-Key" etc. for parameter failures; null for the body. */
  private static String field(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = PARAMETER_MESSAGE.matcher(message);
    return m.find() ? m.group(1) + " " + m.group(2) : null;
  }

  /** The library's error tree as its leaves, in order: each unit that carries an error and nests none. */
  private static void flatten(OutputUnit unit, List<CompiledSchema.Failure> out) {
    List<OutputUnit> nested = unit.getErrors();
    if (nested != null && !nested.isEmpty()) {
      nested.forEach(n -> flatten(n, out));
    } else if (unit.getError() != null) {
      out.add(new CompiledSchema.Failure(unit.getInstanceLocation(), unit.getError()));
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
