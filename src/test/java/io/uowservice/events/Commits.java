package io.uowservice.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.Units;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Test helpers: units of work committed through the HTTP API, outbox queries, bounded waits. */
final class Commits {

  private Commits() {
  }

  static String newUnit(ServiceHarness service) {
    return new Units(service).open();
  }

  static void register(ServiceHarness service, String unit, String state, JsonObject body) {
    Response r = new Units(service).register(unit, state, body);
    assertThat(r.status()).as("%s", r).isIn(200, 201);
  }

  static JsonObject commit(ServiceHarness service, String unit) {
    return new Units(service).committed(unit);
  }

  /** Commits a new unit holding {@code entities} new custom entities; returns the unit id. */
  static String commitNewEntities(ServiceHarness service, int entities) {
    String unit = newUnit(service);
    for (int i = 0; i < entities; i++) {
      register(service, unit, "new", Units.custom(Units.unique("c")));
    }
    commit(service, unit);
    return unit;
  }

  static long unsent(ServiceHarness service) {
    return service.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").get(0).getLong(0);
  }

  static List<String> unsentEventIds(ServiceHarness service) {
    List<String> ids = new ArrayList<>();
    service.query("SELECT event_id FROM outbox WHERE sent_at IS NULL ORDER BY seq").forEach(r -> ids.add(r.getString(0)));
    return ids;
  }

  /** Bounded polling: waits until {@code condition} holds, fails after {@code max}. */
  static void awaitUntil(String what, Duration max, BooleanSupplier condition) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + max + " for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
