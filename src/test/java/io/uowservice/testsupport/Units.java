package io.uowservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Units of work driven over HTTP, as a client would, and the entities tests register in them. */
public final class Units {

  private final ServiceHarness service;

  public Units(ServiceHarness service) {
    this.service = service;
  }

  /** A name no other test run uses: {@code prefix-} and 8 random hex digits. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The same, as an entity-type name: lower-case letters, digits and '_'. */
  public static String uniqueName(String prefix) {
    return unique(prefix).replace('-', '_');
  }

  /** Opens a unit (201) and returns its id. */
  public String open() {
    Response created = service.post("/api/v1/units-of-work");
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    return created.json().getString("id");
  }

  /** Registers {@code body} in one of the unit's sets; the answer, whatever it is. */
  public Response register(String unit, String state, JsonObject body) {
    return service.post("/api/v1/units-of-work/" + unit + "/entities/" + state, body);
  }

  /** Registers {@code entity} as new in {@code unit} (201). */
  public Units add(String unit, JsonObject entity) {
    Response r = register(unit, "new", entity);
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return this;
  }

  public Response commit(String unit) {
    return service.post("/api/v1/units-of-work/" + unit + "/commit");
  }

  /** Commits {@code unit} (200) and returns the commit's answer. */
  public JsonObject committed(String unit) {
    Response r = commit(unit);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json();
  }

  public static JsonObject custom(String id) {
    return new JsonObject().put("type", "custom").put("id", id).put("name", "thing " + id);
  }

  public static JsonObject user(String id) {
    return new JsonObject().put("type", "user").put("id", id).put("name", "user " + id)
        .put("attributes", new JsonObject().put("email", id + "@example.com"));
  }

  public static JsonObject product(String id) {
    return new JsonObject().put("type", "product").put("id", id).put("name", "product " + id)
        .put("attributes", new JsonObject().put("sku", unique("sku")).put("price", "3.00"));
  }

  public static JsonObject order(String id, String userId) {
    return new JsonObject().put("type", "order").put("id", id).put("name", "order " + id)
        .put("attributes", new JsonObject().put("user_id", userId).put("amount", "3.00").put("currency", "EUR"));
  }
}
