package io.uowservice.http;

import static io.uowservice.testsupport.Units.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Deleting a referenced entity: 409 naming who references it, for runtime and built-in references")
class ReferencedDeleteTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static String registerType(String prefix, String attribute, String target) {
    String type = uniqueName(prefix);
    JsonObject body = new JsonObject().put("entity_type", type).put("name", type);
    if (attribute != null) {
      body.put("references", new JsonObject().put(attribute, target == null ? type : target));
    }
    Response created = service.post("/api/v1/repositories/", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return type;
  }

  private static Response transact(JsonObject... ops) {
    return service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray(java.util.List.of(ops))));
  }

  private static JsonObject create(String type, String id, JsonObject attributes) {
    return new JsonObject().put("op", "new").put("type", type).put("id", id).put("name", id).put("attributes", attributes);
  }

  private static JsonObject delete(String type, String id) {
    return new JsonObject().put("op", "deleted").put("type", type).put("id", id);
  }

  @Test
  void aManagerStillReferencedByAnEmployeeCannotBeDeleted() {
    String type = registerType("employee", "manager_id", null);
    String manager = uniqueName("m");
    String employee = uniqueName("e");
    assertThat(transact(create(type, manager, new JsonObject()),
        create(type, employee, new JsonObject().put("manager_id", manager))).status()).isEqualTo(200);

    Response refused = transact(delete(type, manager));

    assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
    assertThat(refused.json().getString("detail")).contains(employee).contains("manager_id");
    assertThat(service.get("/api/v1/entities/" + type + "/" + manager).status()).isEqualTo(200);
  }

  @Test
  void deletingTheReferrerInTheSameUnitOrPointingItElsewhereFirstIsAllowed() {
    String type = registerType("employee", "manager_id", null);
    String manager = uniqueName("m");
    String other = uniqueName("m");
    String e1 = uniqueName("e");
    String e2 = uniqueName("e");
    assertThat(transact(create(type, manager, new JsonObject()), create(type, other, new JsonObject()),
        create(type, e1, new JsonObject().put("manager_id", manager)),
        create(type, e2, new JsonObject().put("manager_id", manager))).status()).isEqualTo(200);

    Response both = transact(delete(type, manager), delete(type, e1),
        new JsonObject().put("op", "dirty").put("type", type).put("id", e2)
            .put("changes", new JsonObject().put("attributes", new JsonObject().put("manager_id", other))));

    assertThat(both.status()).as(both.toString()).isEqualTo(200);
    assertThat(service.get("/api/v1/entities/" + type + "/" + manager).status()).isEqualTo(404);
    assertThat(transact(delete(type, other)).status()).as("e2 now points at the other manager").isEqualTo(409);
  }

  @Test
  void aRuntimeTypeReferencingABuiltInProtectsTheBuiltInRow() {
    String shipment = registerType("shipment", "order_id", "order");
    String user = uniqueName("u");
    String order = uniqueName("o");
    assertThat(transact(new JsonObject().put("op", "new").put("type", "user").put("id", user).put("name", "u"),
        new JsonObject().put("op", "new").put("type", "order").put("id", order).put("name", "o")
            .put("attributes", new JsonObject().put("user_id", user).put("amount", "1.00").put("currency", "EUR")))
        .status()).isEqualTo(200);
    String parcel = uniqueName("s");
    assertThat(transact(create(shipment, parcel, new JsonObject().put("order_id", order))).status()).isEqualTo(200);

    Response refused = transact(delete("order", order));

    assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
    assertThat(refused.json().getString("detail")).contains(parcel);
    assertThat(service.get("/api/v1/entities/order/" + order).status()).isEqualTo(200);
    assertThat(transact(delete(shipment, parcel), delete("order", order)).status()).isEqualTo(200);
  }

  @Test
  void aBuiltInReferenceNamesItsReferrerToo() {
    String user = uniqueName("u");
    String order = uniqueName("o");
    assertThat(transact(new JsonObject().put("op", "new").put("type", "user").put("id", user).put("name", "u"),
        new JsonObject().put("op", "new").put("type", "order").put("id", order).put("name", "o")
            .put("attributes", new JsonObject().put("user_id", user).put("amount", "1.00").put("currency", "EUR")))
        .status()).isEqualTo(200);

    Response refused = transact(delete("user", user));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("detail")).contains(order).contains("user_id");
  }
}
