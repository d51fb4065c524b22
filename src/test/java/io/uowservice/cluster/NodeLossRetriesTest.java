package io.uowservice.cluster;

import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.NodeProcess;
import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.uowservice.testsupport.TestCluster;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Clustered mode: commits and default units of a node that goes, retried on a survivor")
class NodeLossRetriesTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static TestCluster cluster;
  private static ServiceHarness survivor;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of());
    survivor = cluster.service(0);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>(ServiceHarness.environment(cluster.database()));
    env.putAll(cluster.clusterEnvironment(cluster.reservePort()));
    return env;
  }

  /** The seed path's default unit committed on the doomed node under a key: the retry on the survivor must replay. */
  @Test
  void aDefaultUnitsCommitThatLandedIsReplayedByItsKeyOnTheSurvivor() throws Exception {
    try (NodeProcess doomed = NodeProcess.start(env(), WAIT)) {
      String kept = unique("c");
      assertThat(doomed.call("POST", "/api/v1/unit-of-work/entities/new", custom(kept), Map.of()).statusCode())
          .isEqualTo(201);
      String key = unique("key");
      HttpResponse<String> first = doomed.call("POST", "/api/v1/unit-of-work/commit", null,
          Map.of("Idempotency-Key", key));
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      doomed.kill();
      assertThat(survivor.get("/api/v1/entities/custom/" + kept).status()).isEqualTo(200); // it landed

      Response retry = survivor.post("/api/v1/unit-of-work/commit", new JsonObject(), Map.of("Idempotency-Key", key));
      Response again = survivor.post("/api/v1/unit-of-work/commit", new JsonObject(), Map.of("Idempotency-Key", key));
      System.out.println("default-unit commit retried on the survivor: " + retry + " then " + again);
      assertThat(retry.status()).as("%s", retry).isEqualTo(200);
      assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    }
  }

  /**
   * A node paused (GC, SIGSTOP, VM freeze) past node_timeout with a commit queued for it: the survivor says
   * "nothing of it was committed", then the node resumes and commits it.
   */
  @Test
  void aCommitAnswered410NothingCommittedMustNotLandAfterwards() throws Exception {
    try (NodeProcess doomed = NodeProcess.start(env(), WAIT)) {
      String unit = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body())
          .getString("id");
      String pending = unique("c");
      assertThat(survivor.post("/api/v1/units-of-work/" + unit + "/entities/new", custom(pending)).status())
          .isEqualTo(201);
      signal("STOP", doomed.pid());
      Response commit;
      try {
        commit = survivor.post("/api/v1/units-of-work/" + unit + "/commit", new JsonObject(),
            Map.of("Idempotency-Key", unique("key")));
      } finally {
        signal("CONT", doomed.pid());
      }
      Thread.sleep(5000);
      Response entity = survivor.get("/api/v1/entities/custom/" + pending);
      System.out.println("paused node: commit answered " + commit + "; afterwards the entity is " + entity.status());
      if (commit.status() == 410) {
        assertThat(entity.status()).as("told 410 'nothing of it was committed' (%s), yet the entity exists",
            commit).isEqualTo(404);
      }
    }
  }

  /** A rolling restart: SIGTERM on a node while another node's clients keep using its unit. Only 200 then 410. */
  @Test
  @org.junit.jupiter.api.Disabled("known defect, open: while a node shuts down cleanly its actors are undeployed "
      + "before it leaves the cluster, so another node briefly answers 503/404 for its units before 410 "
      + "(seen 1 run in 6); the fix is to leave the cluster (or fence the node) before undeploying")
  void aUnitOfANodeShuttingDownCleanlyIsNever404() throws Exception {
    try (NodeProcess doomed = NodeProcess.start(env(), WAIT)) {
      String unit = new JsonObject(doomed.call("POST", "/api/v1/units-of-work", null, Map.of()).body())
          .getString("id");
      assertThat(survivor.get("/api/v1/units-of-work/" + unit).status()).isEqualTo(200);
      java.util.List<Integer> seen = new java.util.ArrayList<>();
      signal("TERM", doomed.pid());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        int status = survivor.get("/api/v1/units-of-work/" + unit).status();
        if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
          seen.add(status);
        }
        if (status == 410) {
          break;
        }
      }
      System.out.println("statuses on the survivor while the owner shut down: " + seen);
      assertThat(seen).doesNotContain(404);
    }
  }

  /** The default unit's node dies before its commit: retrying that commit (same key) must never answer 200 for nothing. */
  @Test
  void aRetriedCommitOfALostDefaultUnitNeverSucceedsEmpty() throws Exception {
    String pending = unique("c");
    try (NodeProcess doomed = NodeProcess.start(env(), WAIT)) {
      assertThat(doomed.call("POST", "/api/v1/unit-of-work/entities/new", custom(pending), Map.of()).statusCode())
          .isEqualTo(201);
      doomed.kill();
    }
    String key = unique("key");
    java.util.List<String> answers = new java.util.ArrayList<>();
    Response last = null;
    for (int i = 0; i < 3; i++) {
      last = survivor.post("/api/v1/unit-of-work/commit", new JsonObject(), Map.of("Idempotency-Key", key));
      answers.add(last.status() + " " + (last.status() == 200 ? last.json().getJsonObject("committed") : ""));
    }
    System.out.println("commit of a lost default unit, retried with its key: " + answers
        + "; entity " + survivor.get("/api/v1/entities/custom/" + pending).status());
    assertThat(survivor.get("/api/v1/entities/custom/" + pending).status()).isEqualTo(404);
    assertThat(last.status()).as("the third try of a commit whose changes are gone: %s", last).isNotEqualTo(200);
  }

  private static void signal(String sig, long pid) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
  }

}
