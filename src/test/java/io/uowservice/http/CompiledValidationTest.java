package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Compiled validation: openapi.yaml's schemas checked on the event loop, deciding as vertx-openapi does")
class CompiledValidationTest {

  private static final List<String> KEYS = List.of("operations", "op", "type", "id", "lid", "entity_id", "name",
      "description", "metadata", "active", "attributes", "changes", "expected_version", "to_savepoint", "entity_type",
      "schema", "references", "colour", "a b", "~/x", "é", "");
  private static final List<Object> SCALARS = List.of(0, -1, 1, 1.0, 1.5, -0.0, 9007199254740991L, 9007199254740992L,
      new BigInteger("1180591620717411303424"), 1e300, true, false, "new", "dirty", "deleted", "clean", "NEW", "",
      "product", "x");
  private static final int[] LENGTHS = {0, 1, 63, 64, 65, 999, 1000, 1001, 1023, 1024, 1025, 16383, 16384};

  private static ContractValidation contract;

  @BeforeAll
  static void load(Vertx vertx) throws Exception {
    byte[] document;
    try (var in = CompiledValidationTest.class.getClassLoader().getResourceAsStream(ContractValidation.RESOURCE)) {
      document = in.readAllBytes();
    }
    contract = ServiceHarness.await(ContractValidation.load(vertx, Buffer.buffer(document)));
  }

  @Test
  void everyOperationOfTheContractIsCompiled() {
    Set<String> operations = new TreeSet<>();
    contract.contract().operations().forEach(op -> operations.add(op.getOperationId()));

    assertThat(contract.compiledOperations()).as("no operation falls back to the library's slower path")
        .containsExactlyInAnyOrderElementsOf(operations);
  }

  @Test
  void compiledBodyChecksFindWhatTheLibraryFindsAndReportItTheSameWay() {
    Random random = new Random(20261203);
    int compared = 0;
    int invalid = 0;
    for (String operationId : contract.compiledOperations()) {
      CompiledOperation operation = contract.compiled(operationId);
      if (operation.body() == null) {
        continue;
      }
      for (int i = 0; i < 1500; i++) {
        Object instance = decoded(switch (i % 4) {
          case 0 -> seed(operationId);
          case 1 -> mutated(seed(operationId), random);
          case 2 -> mutated(seed(random.nextBoolean() ? operationId : "any other"), random);
          default -> value(random, 0);
        });
        CompiledSchema.Failures mine = new CompiledSchema.Failures();
        boolean valid = operation.body().validate(instance, CompiledSchema.Location.ROOT, mine);
        List<CompiledSchema.Failure> library = contract.libraryFailures(operationId, instance);

        String body = Json.encode(instance);
        assertThat(valid).as(operationId + " accepts " + clip(body)).isEqualTo(library == null);
        if (!valid) {
          invalid++;
          assertThat(clip(ContractValidation.mismatch(null, mine.list).errors().encode()))
              .as(operationId + " reports " + clip(body))
              .isEqualTo(clip(ContractValidation.mismatch(null, library).errors().encode()));
        }
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(10_000);
    assertThat(invalid).as("the corpus holds both kinds").isBetween(compared / 5, compared - compared / 5);
  }

  @Test
  void theLibrarysValidatorsAreStillBuiltOncePerSchemaForAnyOperationThatFallsBack() {
    Object body = decoded(new JsonObject().put("operations", new JsonArray().add(new JsonObject().put("op", 1))));
    contract.libraryFailures("transact", body);
    int afterFirst = contract.cachedValidators();
    for (int i = 0; i < 50; i++) {
      contract.libraryFailures("transact", body);
    }

    assertThat(afterFirst).isPositive();
    assertThat(contract.cachedValidators()).as("built once, not per request").isEqualTo(afterFirst);
  }

  /** A valid body of the operation: a transaction, a registration, a savepoint, a rollback or a repository. */
  private static JsonObject seed(String operationId) {
    JsonObject product = new JsonObject().put("op", "new").put("type", "product").put("lid", "p").put("name", "a product")
        .put("attributes", new JsonObject().put("sku", "S-1").put("price", "9.99"));
    JsonObject dirty = new JsonObject().put("op", "dirty").put("type", "product").put("entity_id", "p-1")
        .put("expected_version", 3).put("changes", new JsonObject().put("attributes", new JsonObject().put("stock", 4)));
    if (operationId.equals("transact")) {
      return new JsonObject().put("operations", new JsonArray().add(product).add(dirty)
          .add(new JsonObject().put("op", "deleted").put("entity_id", "x-1")));
    } else if (operationId.startsWith("registerEntity")) {
      product.remove("op");
      return product.put("description", (String) null).put("metadata", new JsonObject());
    } else if (operationId.startsWith("createSavepoint")) {
      return new JsonObject().put("name", "sp");
    } else if (operationId.startsWith("rollback")) {
      return new JsonObject().put("to_savepoint", "sp");
    }
    return new JsonObject().put("entity_type", "invoice").put("name", "Invoices")
        .put("references", new JsonObject().put("customer", "user")).put("schema", new JsonObject());
  }

  /** {@code value} with one to three of its nodes replaced, removed or added to. */
  private static Object mutated(Object value, Random random) {
    Object result = value;
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      result = mutateOnce(result, random, 0);
    }
    return result;
  }

  private static Object mutateOnce(Object value, Random random, int depth) {
    if (value instanceof JsonObject object && !object.isEmpty() && random.nextInt(4) != 0) {
      List<String> keys = new ArrayList<>(object.fieldNames());
      String key = keys.get(random.nextInt(keys.size()));
      switch (random.nextInt(4)) {
        case 0 -> object.remove(key);
        case 1 -> object.put(KEYS.get(random.nextInt(KEYS.size())), value(random, depth + 1));
        default -> object.put(key, mutateOnce(object.getValue(key), random, depth + 1));
      }
      return object;
    }
    if (value instanceof JsonArray array && !array.isEmpty() && random.nextInt(4) != 0) {
      int i = random.nextInt(array.size());
      switch (random.nextInt(3)) {
        case 0 -> array.remove(i);
        case 1 -> array.add(value(random, depth + 1));
        default -> array.set(i, mutateOnce(array.getValue(i), random, depth + 1));
      }
      return array;
    }
    return value(random, depth);
  }

  private static Object value(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 3 : 6);
    return switch (kind) {
      case 0 -> SCALARS.get(random.nextInt(SCALARS.size()));
      case 1 -> string(random);
      case 2 -> null;
      case 3, 4 -> {
        JsonObject object = new JsonObject();
        for (int i = random.nextInt(5); i > 0; i--) {
          object.put(KEYS.get(random.nextInt(KEYS.size())), value(random, depth + 1));
        }
        yield object;
      }
      default -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(value(random, depth + 1));
        }
        yield array;
      }
    };
  }

  /** A string at, just under or just past a limit, of ASCII or of characters outside the BMP. */
  private static String string(Random random) {
    int length = LENGTHS[random.nextInt(LENGTHS.length)];
    String unit = random.nextBoolean() ? "a" : "\uD83D\uDE00";
    return unit.repeat(length);
  }

  /** As the service sees a body: encoded, then decoded by Vert.x (Integer, Long, BigInteger, Double). */
  private static Object decoded(Object value) {
    return Json.decodeValue(Json.encode(value));
  }

  /** The body for a message: long runs of one character shortened, at most 300 characters. */
  private static String clip(String body) {
    String shown = body.replace("\uD83D\uDE00", "U").replaceAll("a{8,}", "a…").replaceAll("U{8,}", "U…");
    return shown.length() > 300 ? shown.substring(0, 300) + "…" : shown;
  }
}
