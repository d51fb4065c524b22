package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StorableValues: only numbers and nesting every store of an entity accepts")
class StorableValuesTest {

  private static List<FieldError> check(Object value) {
    List<FieldError> errors = new ArrayList<>();
    StorableValues.check(value, "attributes", errors);
    return errors;
  }

  private static Object nested(int levels) {
    Object value = 1;
    for (int i = 0; i < levels; i++) {
      value = Map.of("n", value);
    }
    return value;
  }

  @Test
  void finiteNumbersAnd64BitIntegersAreFine() {
    assertThat(check(Map.of("a", 1.5, "b", Long.MAX_VALUE, "c", BigInteger.valueOf(Long.MIN_VALUE), "d", List.of(0.0))))
        .isEmpty();
  }

  @Test
  void infinityAndIntegersPast64BitsAreNamedByPath() {
    List<FieldError> errors = check(Map.of("deep", List.of(Map.of("n", Double.POSITIVE_INFINITY)),
        "big", BigInteger.TWO.pow(64)));

    assertThat(errors).extracting(FieldError::field)
        .containsExactlyInAnyOrder("attributes.deep[0].n", "attributes.big");
  }

  @Test
  void nestingIsLimitedTo29LevelsCountingTheValueItself() {
    assertThat(check(nested(StorableValues.MAX_DEPTH))).isEmpty();
    assertThat(check(nested(StorableValues.MAX_DEPTH + 1))).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("deeper than 29"));
  }
}
