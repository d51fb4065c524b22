package io.uowservice.http;

import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The contract as vertx-openapi sees it, with a schema repository that builds each schema's
 * validator once. The library asks for a new validator for every parameter and body of every
 * request, and building one copies every schema of the contract into a map of its own: a JFR profile
 * of the checkout benchmark put that at 14 % of the service's CPU. A validator is immutable once
 * built, and the contract's schemas are fixed objects parsed at start-up, so one per schema is kept
 * (by identity, at most {@value #MAX_CACHED}: past that, a new one is built each time as before).
 */
final class CachedValidators {

  static final int MAX_CACHED = 4096;

  private final Map<JsonSchema, Object> validators = new IdentityHashMap<>();

  /** {@code contract}, asking this cache for its validators. */
  OpenAPIContract wrap(OpenAPIContract contract) {
    CachedValidators cache = this;
    SchemaRepository repository = contract.getSchemaRepository();
    SchemaRepository caching = proxy(SchemaRepository.class, (p, method, args) ->
        method.getName().equals("validator") && args != null && args.length == 1 && args[0] instanceof JsonSchema schema
            ? cache.validator(schema, () -> call(repository, method, args))
            : call(repository, method, args));
    return proxy(OpenAPIContract.class, (p, method, args) -> method.getName().equals("getSchemaRepository")
        && method.getParameterCount() == 0 ? caching : call(contract, method, args));
  }

  private interface Build {
    Object get() throws Throwable;
  }

  private synchronized Object validator(JsonSchema schema, Build build) throws Throwable {
    Object known = validators.get(schema);
    if (known != null) {
      return known;
    }
    Object built = build.get();
    if (validators.size() < MAX_CACHED) {
      validators.put(schema, built);
    }
    return built;
  }

  /** How many validators are kept (bounded by the contract's schemas, not by the requests served). */
  synchronized int size() {
    return validators.size();
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(CachedValidators.class.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
