package io.uowservice.repository;

import io.uowservice.domain.AttributeRules;
import io.uowservice.domain.FieldError;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import java.util.List;
import java.util.Map;

/** Attribute rules of a runtime-registered type: its JSON Schema (draft 2020-12). */
public final class JsonSchemaRules implements AttributeRules {

  private static final String BASE_URI = "https://uow-service.dev/schemas/";
  private final Validator validator;

  private JsonSchemaRules(Validator validator) {
    this.validator = validator;
  }

  /** Compiles the schema; a schema the validator cannot use fails with {@link IllegalArgumentException}. */
  public static JsonSchemaRules compile(String typeName, Map<String, Object> schema) {
    // the validator annotates the schema it is given in place: hand it a deep copy
    JsonObject json = new JsonObject(schema).copy();
    Object type = json.getValue("type");
    if (type != null && !"object".equals(type)) {
      throw new IllegalArgumentException("the schema must describe a JSON object (\"type\": \"object\")");
    }
    try {
      Validator validator = Validator.create(JsonSchema.of(json), new JsonSchemaOptions()
          .setDraft(Draft.DRAFT202012).setBaseUri(BASE_URI + typeName).setOutputFormat(OutputFormat.Basic));
      validator.validate(new JsonObject());
      return new JsonSchemaRules(validator);
    } catch (SchemaException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("the schema is not a usable JSON Schema: " + e.getMessage());
    }
  }

  @Override
  public Map<String, Object> normalize(Map<String, Object> attributes, List<FieldError> errors) {
    OutputUnit result;
    try {
      result = validator.validate(new JsonObject(attributes));
    } catch (SchemaException e) {
      errors.add(new FieldError("attributes", "cannot be checked against the type's schema: " + e.getMessage()));
      return attributes;
    }
    if (!Boolean.TRUE.equals(result.getValid())) {
      List<OutputUnit> units = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result)
          : result.getErrors();
      for (OutputUnit unit : units) {
        String location = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
        String field = "attributes" + (location.isEmpty() || location.equals("#") ? ""
            : location.replaceFirst("^#", "").replace('/', '.'));
        errors.add(new FieldError(field, unit.getError() == null ? "does not match the schema" : unit.getError()));
      }
    }
    return attributes;
  }
}
