package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SchemaCheck: a runtime type's schema cannot stall or break the validators")
class SchemaCheckTest {

  private static List<FieldError> check(Map<String, Object> schema) {
    return SchemaCheck.check(schema, 100);
  }

  private static Map<String, Object> withPattern(String regex) {
    return Map.of("type", "object", "properties", Map.of("code", Map.of("type", "string", "pattern", regex)));
  }

  @Test
  void anOrdinarySchemaPasses() {
    assertThat(check(Map.of("type", "object", "required", List.of("sku"), "additionalProperties", false,
        "properties", Map.of("sku", Map.of("type", "string", "pattern", "^[A-Z]{3}-[0-9]+$", "maxLength", 20),
            "tags", Map.of("type", "array", "items", Map.of("$ref", "#/$defs/tag"))),
        "$defs", Map.of("tag", Map.of("type", "string", "enum", List.of("a", "b")))))).isEmpty();
  }

  @Test
  void catastrophicPatternsAreRefused() {
    for (String regex : List.of("(a+)+$", "^(a|aa)*$", "(x*)*y", "((ab)*)+", "(\\w+\\s?)*$", "(a)\\1")) {
      assertThat(check(withPattern(regex))).as(regex).singleElement()
          .satisfies(e -> assertThat(e.field()).isEqualTo("schema.properties.code.pattern"));
    }
    for (String regex : List.of("^[a-z]+(-[a-z]+)?$", "^(abc){2,3}$", "[(+*)]+", "^\\d{4}-\\d{2}$", "(?:ab)+c")) {
      assertThat(check(withPattern(regex))).as(regex).isEmpty();
    }
  }

  @Test
  void invalidOrOverlongPatternsAreRefused() {
    assertThat(check(withPattern("(unclosed"))).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("not a valid regular expression"));
    assertThat(check(withPattern("a".repeat(SchemaCheck.MAX_PATTERN + 1)))).hasSize(1);
    assertThat(check(Map.of("patternProperties", Map.of("(a+)+", Map.of("type", "string"))))).hasSize(1);
  }

  @Test
  void refsMustBeLocalDefinedAndAcyclic() {
    assertThat(check(Map.of("$ref", "https://evil.example/schema"))).hasSize(1);
    assertThat(check(Map.of("$ref", "#/$defs/missing"))).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("not defined"));
    assertThat(check(Map.of("$defs", Map.of("a", Map.of("$ref", "#/$defs/b"), "b", Map.of("$ref", "#/$defs/a")))))
        .singleElement().satisfies(e -> assertThat(e.message()).contains("cycle"));
  }

  @Test
  void unknownKeywordsAndOversizedSchemasAreRefused() {
    assertThat(check(Map.of("type", "object", "$dynamicRef", "#x"))).hasSize(1);
    assertThat(check(Map.of("type", "object", "x-ui-order", 3))).as("x- extensions are annotations").isEmpty();
    assertThat(SchemaCheck.check(Map.of(), SchemaCheck.MAX_SCHEMA_CHARS + 1L)).hasSize(1);
  }
}
