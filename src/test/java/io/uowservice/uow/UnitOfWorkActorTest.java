package io.uowservice.uow;

import static io.uowservice.testsupport.ServiceHarness.await;
import static io.uowservice.testsupport.ServiceHarness.failureOf;
import static io.uowservice.testsupport.Units.custom;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.api.Problem;
import io.uowservice.api.RequestHashes;
import io.uowservice.bus.Idempotency;
import io.uowservice.bus.ServiceClient;
import io.uowservice.bus.UnitService;
import io.uowservice.bus.UnitService.Reply;
import io.uowservice.bus.UnitService.UnitCall;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The UnitOfWork actors, called over the event bus through the typed client")
class UnitOfWorkActorTest {

  private static ServiceHarness service;
  private static ServiceClient bus;
  private static UnitService units;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx);
    bus = new ServiceClient(vertx, service.config().units().shards(), Duration.ofSeconds(10));
    units = bus.units();
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aUnitIsSeenByItsOwnerOnly() {
    String alice = unique("alice");
    String id = await(units.create(alice)).getString("id");

    assertThat(await(units.summary(new UnitCall(alice, id))).getString("owner")).isEqualTo(alice);
    assertThat(Problem.from(failureOf(units.summary(new UnitCall(unique("bob"), id)))).status()).isEqualTo(404);
  }

  @Test
  void theDefaultUnitIsFoundFromTheSubjectAloneAndItsCommitIsReadable() {
    UnitCall defaultUnit = new UnitCall(unique("carol"), null);
    String id = unique("c");
    await(units.register(defaultUnit, "new", custom(id)));
    assertThat(await(units.summary(defaultUnit)).getJsonObject("counts").getInteger("new")).isEqualTo(1);

    Reply reply = await(units.commit(defaultUnit, null));

    assertThat(reply.replayed()).isFalse();
    assertThat(reply.body().getJsonObject("committed").getInteger("new")).isEqualTo(1);
    assertThat(await(bus.entities().get("custom", id)).getLong("version")).isEqualTo(1L);
    assertThat(await(units.summary(defaultUnit)).getInteger("size")).as("emptied by its commit").isZero();
  }

  @Test
  void callsToOneUnitAreHandledOneAtATime() {
    String dave = unique("dave");
    UnitCall unit = new UnitCall(dave, await(units.create(dave)).getString("id"));
    List<Future<JsonObject>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(units.register(unit, "new", custom(unique("c" + i)))); // all in flight at once
    }

    await(Future.all(all));

    assertThat(await(units.summary(unit)).getInteger("size")).isEqualTo(100);
  }

  @Test
  void aUnitBeingCommittedRefusesChangesAndStillCommits() {
    String erin = unique("erin");
    UnitCall unit = new UnitCall(erin, await(units.create(erin)).getString("id"));
    for (int i = 0; i < 300; i++) {
      await(units.register(unit, "new", custom(unique("c" + i))));
    }

    Future<Reply> commit = units.commit(unit, null);
    Future<JsonObject> meanwhile = units.register(unit, "new", custom(unique("late")));

    assertThat(Problem.from(failureOf(meanwhile)).status()).isEqualTo(409);
    assertThat(await(commit).body().getJsonObject("committed").getInteger("new")).isEqualTo(300);
  }

  @Test
  void aTransactionUnderOneKeyRunsOnceAndOtherContentUnderItIsRefused() {
    String frank = unique("frank");
    JsonObject body = new JsonObject().put("operations", new JsonArray()
        .add(custom(unique("c")).put("op", "new")));
    Idempotency key = new Idempotency(unique("key"), RequestHashes.transaction(body));

    Reply first = await(units.transact(frank, body.getValue("operations"), key));
    Reply again = await(units.transact(frank, body.getValue("operations"), key));

    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.body()).isEqualTo(first.body());
    JsonObject other = new JsonObject().put("operations", new JsonArray().add(custom(unique("c")).put("op", "new")));
    assertThat(Problem.from(failureOf(units.transact(frank, other.getValue("operations"),
        new Idempotency(key.key(), RequestHashes.transaction(other))))).status()).isEqualTo(422);
  }

  @Test
  void statsAreSummedOverEveryActor() {
    for (int i = 0; i < 4; i++) {
      await(units.create(unique("grace")));
    }

    JsonObject stats = await(units.stats());

    assertThat(stats.getInteger("shards")).isEqualTo(service.config().units().shards());
    assertThat(stats.getJsonObject("units").getLong("open")).isGreaterThanOrEqualTo(4);
  }
}
