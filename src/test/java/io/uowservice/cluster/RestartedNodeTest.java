package io.uowservice.cluster;

import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.TestDatabase;
import io.uowservice.testsupport.TestDatabases;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A node on its own: the units of its previous run are lost (410), not unknown")
class RestartedNodeTest {

  @Test
  void aUnitOpenedBeforeARestartIs410AndTheDefaultUnitStartsAfresh() {
    try (TestDatabase database = TestDatabases.createDatabase()) {
      String unit;
      String pending = unique("c");
      Vertx first = Vertx.vertx();
      try (ServiceHarness before = ServiceHarness.startNode(first, database, Map.of())) {
        unit = before.post("/api/v1/units-of-work").json().getString("id");
        assertThat(before.post("/api/v1/units-of-work/" + unit + "/entities/new", custom(pending)).status())
            .isEqualTo(201);
        assertThat(before.post("/api/v1/unit-of-work/entities/new", custom(unique("c"))).status()).isEqualTo(201);
      } finally {
        ServiceHarness.await(first.close());
      }

      Vertx second = Vertx.vertx();
      try (ServiceHarness after = ServiceHarness.startNode(second, database, Map.of())) {
        ServiceHarness.Response lost = after.get("/api/v1/units-of-work/" + unit);
        assertThat(lost.status()).as("%s", lost).isEqualTo(410);
        assertThat(lost.json().getString("type")).endsWith("unit-lost");
        assertThat(after.post("/api/v1/units-of-work/" + unit + "/commit").status()).isEqualTo(410);
        assertThat(after.get("/api/v1/entities/custom/" + pending).status()).isEqualTo(404);
        // a node on its own keeps default units in memory: after a restart the subject gets a new, empty one
        assertThat(after.get("/api/v1/unit-of-work/entities").json().getJsonArray("new")).isEmpty();
        assertThat(after.get("/api/v1/units-of-work/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
      } finally {
        ServiceHarness.await(second.close());
      }
    }
  }
}
