package io.uowservice.repository;

import static io.uowservice.testsupport.ServiceHarness.await;
import static io.uowservice.testsupport.ServiceHarness.failureOf;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.config.AppConfig;
import io.uowservice.domain.EntityFactory;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.FlushPlanner;
import io.uowservice.domain.TypeCatalog;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.events.DomainEvents;
import io.uowservice.events.OutboxStep;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Found by review: the connection cut while a commit's pipelined writes are in flight. */
@ExtendWith(VertxExtension.class)
@DisplayName("A commit whose database connection is cut before COMMIT ends at once: 503, nothing written")
class CommitConnectionLossTest {

  private static ServiceHarness service;
  private static Vertx own; // its own Vert.x: the commit pool is shared by name within one
  private static NetServer proxy;
  /** Armed with a text: the connection that sends it is cut right after. */
  private static final AtomicReference<String> cutAfter = new AtomicReference<>();
  private static CommitExecutor executor;
  private static TypeCatalog catalog;
  private static EntityFactory factory;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx);
    own = Vertx.vertx();
    AppConfig.Mysql real = service.config().mysql();
    proxy = await(own.createNetServer().connectHandler(c -> relay(c, real)).listen(0, "127.0.0.1"));
    AppConfig.Mysql at = real.at("127.0.0.1", proxy.actualPort(), real.username(), real.password());
    AppConfig.Mysql viaProxy = new AppConfig.Mysql(at.embedded(), at.dataDir(), at.embeddedPort(), at.host(), at.port(),
        at.database(), at.username(), at.password(), 1, at.connectTimeout(), at.lockWaitTimeout(), at.statementTimeout());
    executor = new CommitExecutor(own, viaProxy, List.of(new OutboxStep()),
        new CommitExecutor.Retries(0, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofSeconds(10)));
    catalog = TypeCatalog.of(service.config().units().supportedEntityTypes(), List.of());
    factory = new EntityFactory(service.config().limits(), "custom");
  }

  @AfterAll
  static void stop() {
    await(own.close());
    service.close();
  }

  /** A TCP relay to the database that, once armed, cuts the connection after forwarding the armed text. */
  private static void relay(NetSocket client, AppConfig.Mysql db) {
    client.pause();
    own.createNetClient().connect(db.port(), db.host()).onSuccess(server -> {
      client.handler(data -> {
        server.write(data);
        String armed = cutAfter.get();
        if (armed != null && data.toString(StandardCharsets.ISO_8859_1).contains(armed)
            && cutAfter.compareAndSet(armed, null)) {
          server.close(); // a database restart or a cut link: no COMMIT was ever sent
          client.close();
        }
      });
      server.handler(client::write);
      client.closeHandler(v -> server.close());
      server.closeHandler(v -> client.close());
      client.resume();
    }).onFailure(err -> client.close());
  }

  @Test
  void aConnectionCutWhileTheWritesAreInFlightEndsTheCommitAsUnavailableAndWritesNothing() {
    await(commit(unit())); // the statements prepared: the cut lands on the outbox row's execution
    UnitOfWork unit = unit();
    List<String> ids = unit.entities().stream().map(t -> t.id()).toList();
    cutAfter.set(unit.id()); // the outbox rows carry the unit's id

    Throwable failure = failureOf(commit(unit));

    assertThat(failure).as(String.valueOf(failure)).isInstanceOf(UowException.Unavailable.class)
        .hasMessageContaining("nothing was written");
    assertThat(service.query("SELECT COUNT(*) FROM entity_ids WHERE id IN ('" + String.join("','", ids) + "')")
        .get(0).getLong(0)).isZero();
    assertThat(service.query("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%" + unit.id() + "%'").get(0).getLong(0))
        .isZero();
    await(commit(unit())); // the next commit gets a working connection
  }

  private static UnitOfWork unit() {
    UnitOfWork unit = new UnitOfWork(UUID.randomUUID().toString(), "tester", Instant.now(), service.config().limits());
    unit.registerNew(factory.create(Map.of("type", "custom", "id", unique("c"), "name", "a"), catalog), null);
    unit.registerNew(factory.create(Map.of("type", "custom", "id", unique("c"), "name", "b"), catalog), null);
    return unit;
  }

  private static Future<Void> commit(UnitOfWork unit) {
    FlushPlan plan = FlushPlanner.plan(unit.beginCommit(), catalog);
    Instant at = Instant.now();
    CommitStep.Context context = new CommitStep.Context(unit.id(), "tester", plan, at,
        DomainEvents.ofCommit(unit.id(), "tester", plan, at));
    Promise<Void> done = Promise.promise();
    own.runOnContext(v -> executor.execute(context).onComplete(done)); // from an event loop, as the service runs it
    return done.future();
  }
}
