package io.uowservice.repository;

import static io.uowservice.testsupport.ServiceHarness.await;
import static io.uowservice.testsupport.ServiceHarness.failureOf;
import static io.uowservice.testsupport.Units.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.domain.Entity;
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
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("CommitExecutor: a flush plan runs in ONE MySQL transaction, all of it or none of it")
class CommitExecutorTest {

  private static ServiceHarness service;
  private static Vertx vertx;
  private static Pool pool;
  private static CommitExecutor executor;
  private static TypeCatalog catalog;
  private static EntityFactory factory;

  @BeforeAll
  static void start(Vertx vertx) {
    CommitExecutorTest.vertx = vertx;
    service = ServiceHarness.start(vertx); // a migrated database of its own
    pool = Database.pool(vertx, service.config().mysql());
    executor = new CommitExecutor(vertx, service.config().mysql(), List.of(new OutboxStep()),
        new CommitExecutor.Retries(3, Duration.ofMillis(5), Duration.ofMillis(200), Duration.ofSeconds(10)));
    catalog = TypeCatalog.of(service.config().units().supportedEntityTypes(), List.of(new io.uowservice.domain.EntityType(
        "gadget", false, "Gadgets", null, java.util.Set.of(), io.uowservice.domain.AttributeRules.ANY, null)));
    factory = new EntityFactory(service.config().limits(), "custom");
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void everyWriteOfAPlanAndItsEventsLandTogether() {
    UnitOfWork unit = unit();
    String user = unique("u");
    String product = unique("p");
    unit.registerNew(user(user), null);
    unit.registerNew(product(product, "4.00"), null);
    CommitStep.Context commit = contextOf(unit);

    await(executor.execute(commit));

    assertThat(stored("user", user)).isNotNull();
    assertThat(stored("product", product).version()).isEqualTo(1);
    assertThat(outboxRowsOf(unit)).as("each event of the commit, in the same transaction")
        .isEqualTo(commit.events().size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aStaleVersionFailsThePlanWholeAndNamesTheEntity() {
    String product = unique("p");
    UnitOfWork first = unit();
    first.registerNew(product(product, "1.00"), null);
    await(executor.execute(contextOf(first)));
    Entity v1 = stored("product", product);
    UnitOfWork other = unit();
    other.registerDirty(product, "product", v1, e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("price", "99.00")), catalog), null);
    await(executor.execute(contextOf(other))); // now at version 2

    UnitOfWork late = unit(); // still holds version 1
    String bystander = unique("c");
    late.registerNew(custom(bystander), null);
    late.registerDirty(product, "product", v1, e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("price", "1.50")), catalog), null);

    assertThat(failureOf(executor.execute(contextOf(late))))
        .isInstanceOf(UowException.StaleVersions.class).hasMessageContaining(product);
    assertThat(stored("product", product).version()).isEqualTo(2);
    assertThat(stored("custom", bystander)).as("nothing of the failed plan was written").isNull();
    assertThat(outboxRowsOf(late)).isZero();
  }

  @Test
  void aLoneDirtyRowIsCheckedByItsUpdateAndItsConflictStillNamesTheStoredVersion() {
    String product = unique("p");
    Entity v1 = productAtVersion2(product);

    UnitOfWork late = unit(); // a checkout: one dirty row, nothing else locked exclusively
    late.registerDirty(product, "product", v1, e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("price", "1.50")), catalog), null);

    assertThat(failureOf(executor.execute(contextOf(late))))
        .isInstanceOfSatisfying(UowException.StaleVersions.class, e -> assertThat(e.conflicts())
            .containsExactly(new io.uowservice.domain.VersionConflict("product", product, 1, 2L)));
    assertThat(stored("product", product).version()).isEqualTo(2);
  }

  @Test
  void aStaleVersionIsReportedBeforeAMissingReference() {
    String product = unique("p");
    Entity v1 = productAtVersion2(product);

    UnitOfWork late = unit();
    late.registerDirty(product, "product", v1, e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("price", "1.50")), catalog), null);
    late.registerNew(factory.create(Map.of("type", "order", "id", unique("o"), "name", "an order",
        "attributes", Map.of("user_id", unique("nobody"), "amount", "3.00", "currency", "EUR")), catalog), null);

    assertThat(failureOf(executor.execute(contextOf(late)))).isInstanceOf(UowException.StaleVersions.class);
  }

  @Test
  void aLoneDirtyRowThatReferencesARowOfTheSameCommitIsWrittenAfterIt() {
    String first = unique("u");
    String order = unique("o");
    UnitOfWork setup = unit();
    setup.registerNew(user(first), null);
    setup.registerNew(order(order, first), null);
    await(executor.execute(contextOf(setup)));

    UnitOfWork move = unit(); // the order's one dirty row now points at a user this commit creates
    String second = unique("u");
    move.registerNew(user(second), null);
    move.registerDirty(order, "order", stored("order", order), e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("user_id", second)), catalog), null);

    await(executor.execute(contextOf(move)));
    assertThat(stored("order", order).attributes().get("user_id")).isEqualTo(second);
    assertThat(stored("order", order).version()).isEqualTo(2);
  }

  @Test
  void aStaleRowOfTheGenericTableNeverOverwritesTheRowOfAnotherTypeThatNowHasItsId() {
    String id = unique("c");
    UnitOfWork create = unit();
    create.registerNew(custom(id), null);
    await(executor.execute(contextOf(create)));
    Entity v1 = stored("custom", id);
    UnitOfWork delete = unit();
    delete.registerDeleted(id, "custom", v1, null);
    await(executor.execute(contextOf(delete)));
    UnitOfWork reuse = unit(); // the id is free again, and a runtime type in the same table takes it
    reuse.registerNew(factory.create(Map.of("type", "gadget", "id", id, "name", "a gadget"), catalog), null);
    await(executor.execute(contextOf(reuse)));

    UnitOfWork late = unit(); // still holds the deleted custom entity at version 1
    late.registerDirty(id, "custom", v1, e -> factory.applyChanges(e, Map.of("name", "overwritten"), catalog), null);

    assertThat(failureOf(executor.execute(contextOf(late))))
        .isInstanceOfSatisfying(UowException.StaleVersions.class, e -> assertThat(e.conflicts())
            .containsExactly(new io.uowservice.domain.VersionConflict("custom", id, 1, null)));
    Entity gadget = stored("gadget", id);
    assertThat(gadget.name()).isEqualTo("a gadget");
    assertThat(gadget.version()).isEqualTo(1);
  }

  @Test
  void aMissingReferenceIsStillReportedBeforeTheDuplicateValueOfALoneDirtyRow() {
    String taken = unique("sku");
    UnitOfWork setup = unit();
    setup.registerNew(factory.create(Map.of("type", "product", "id", unique("p"), "name", "holder",
        "attributes", Map.of("sku", taken, "price", "1.00")), catalog), null);
    String product = unique("p");
    setup.registerNew(product(product, "1.00"), null);
    await(executor.execute(contextOf(setup)));

    UnitOfWork unit = unit(); // its product takes a sku in use, and its order points at nobody
    unit.registerDirty(product, "product", stored("product", product), e -> factory.applyChanges(e, Map.of(
        "attributes", Map.of("sku", taken)), catalog), null);
    unit.registerNew(order(unique("o"), unique("nobody")), null);

    assertThat(failureOf(executor.execute(contextOf(unit)))).isInstanceOf(UowException.Invalid.class)
        .hasMessageContaining("do not exist");
  }

  @Test
  void aLoneDirtyRowThatChangesAUniqueValueWritesItsIndexOnlyAfterEveryLockIsHeld() {
    String user = unique("u");
    String product = unique("p");
    UnitOfWork setup = unit();
    setup.registerNew(user(user), null);
    setup.registerNew(product(product, "1.00"), null);
    await(executor.execute(contextOf(setup)));
    String wanted = unique("sku");

    // another writer holds the user (the commit's last lock in canonical order), and will insert the sku
    io.vertx.sqlclient.SqlConnection other = await(pool.getConnection());
    try {
      io.vertx.sqlclient.Transaction tx = await(other.begin());
      await(other.preparedQuery("SELECT id FROM users WHERE id = ? FOR UPDATE").execute(io.vertx.sqlclient.Tuple.of(user)));
      UnitOfWork unit = unit(); // its product renames its sku, its new order references the held user
      unit.registerDirty(product, "product", stored("product", product), e -> factory.applyChanges(e, Map.of(
          "attributes", Map.of("sku", wanted)), catalog), null);
      unit.registerNew(order(unique("o"), user), null);
      Future<Void> commit = startWithoutRetries(contextOf(unit));
      waitUntilALockWaitOn("users", commit);

      // had the commit written its sku index entry before waiting for the user, this would deadlock
      await(other.preparedQuery("INSERT INTO products (id, name, metadata, active, version, created_at, updated_at, sku, "
          + "price, stock, extra) VALUES (?, 'rival', '{}', 1, 1, NOW(6), NOW(6), ?, 1, 0, '{}')")
          .execute(io.vertx.sqlclient.Tuple.of(unique("p"), wanted)));
      await(tx.commit());

      assertThat(failureOf(commit)).as("the sku is taken by the rival, found when the commit writes it")
          .isInstanceOf(UowException.Conflict.class).hasMessageContaining("sku " + wanted);
    } finally {
      other.close();
    }
  }

  @Test
  void ofWritesSentTogetherThatBothFailTheFirstInStatementOrderIsTheAnswer() {
    String taken = unique("sku");
    String existing = unique("c");
    UnitOfWork setup = unit();
    setup.registerNew(custom(existing), null);
    setup.registerNew(factory.create(Map.of("type", "product", "id", unique("p"), "name", "holder",
        "attributes", Map.of("sku", taken, "price", "1.00")), catalog), null);
    await(executor.execute(contextOf(setup)));

    UnitOfWork unit = unit(); // its id registry row fails first, its product's sku after it
    unit.registerNew(custom(existing), null);
    String product = unique("p");
    unit.registerNew(factory.create(Map.of("type", "product", "id", product, "name", "dup",
        "attributes", Map.of("sku", taken, "price", "1.00")), catalog), null);

    assertThat(failureOf(executor.execute(contextOf(unit)))).isInstanceOf(UowException.Conflict.class)
        .hasMessageContaining("an entity with id " + existing + " already exists");
    assertThat(stored("product", product)).isNull();
    assertThat(outboxRowsOf(unit)).isZero();
  }

  @Test
  void aCommitWhosePipelinedWritesLoseADeadlockLeavesNothingBehind() {
    String product = unique("p");
    UnitOfWork setup = unit();
    setup.registerNew(product(product, "1.00"), null);
    await(executor.execute(contextOf(setup)));
    String contested = unique("c");
    String other = unique("c");

    io.vertx.sqlclient.SqlConnection rival = await(pool.getConnection());
    try {
      io.vertx.sqlclient.Transaction tx = await(rival.begin());
      // a heavy rival (InnoDB rolls back the lighter transaction of a deadlock) holding the id the commit creates
      for (int i = 0; i < 200; i++) {
        await(rival.preparedQuery("INSERT INTO entity_ids (id, entity_type) VALUES (?, 'custom')")
            .execute(io.vertx.sqlclient.Tuple.of(unique("filler"))));
      }
      await(rival.preparedQuery("INSERT INTO entity_ids (id, entity_type) VALUES (?, 'custom')")
          .execute(io.vertx.sqlclient.Tuple.of(contested)));
      UnitOfWork unit = unit(); // locks the product, then its pipelined writes wait on the contested id
      unit.registerDirty(product, "product", stored("product", product), e -> factory.applyChanges(e, Map.of(
          "attributes", Map.of("stock", 7)), catalog), null);
      unit.registerNew(custom(contested), null);
      unit.registerNew(custom(other), null);
      Future<Void> commit = startWithoutRetries(contextOf(unit));
      waitUntilALockWaitOn("entity_ids", commit);

      // the rival now waits for the product the commit holds: a deadlock, and the commit is its victim
      await(rival.preparedQuery("SELECT id FROM products WHERE id = ? FOR UPDATE")
          .execute(io.vertx.sqlclient.Tuple.of(product)));
      assertThat(failureOf(commit)).isInstanceOf(UowException.Conflict.class).hasMessageContaining("deadlock");
      await(tx.rollback());

      // the statements sent after the one that lost ran in a transaction of their own, rolled back too
      assertThat(outboxRowsOf(unit)).as("no event of a commit that did not happen").isZero();
      assertThat(stored("custom", other)).isNull();
      assertThat(stored("product", product).version()).isEqualTo(1);
    } finally {
      rival.close();
    }
  }

  /** Starts the commit from an event loop, as the service runs it, with no deadlock retry: its first outcome. */
  private static Future<Void> startWithoutRetries(CommitStep.Context context) {
    CommitExecutor noRetries = new CommitExecutor(vertx, service.config().mysql(), List.of(new OutboxStep()),
        new CommitExecutor.Retries(0, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofSeconds(10)));
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> noRetries.execute(context).onComplete(done));
    return done.future();
  }

  private static void waitUntilALockWaitOn(String table, Future<?> commit) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (service.query("SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' "
        + "AND (trx_query LIKE '%FROM " + table + " %' OR trx_query LIKE '%INTO " + table + " %')").get(0).getLong(0) == 0) {
      assertThat(commit.isComplete()).as("the commit ended before waiting for " + table + ": " + commit.cause()).isFalse();
      assertThat(System.nanoTime()).as("a commit waiting for a lock on " + table).isLessThan(deadline);
      try {
        Thread.sleep(150); // InnoDB refreshes innodb_trx only when it was last read over 100 ms ago
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static Entity order(String id, String userId) {
    return factory.create(Map.of("type", "order", "id", id, "name", "an order",
        "attributes", Map.of("user_id", userId, "amount", "3.00", "currency", "EUR")), catalog);
  }

  /** A product stored and updated once: the version-1 copy returned is stale. */
  private static Entity productAtVersion2(String product) {
    UnitOfWork first = unit();
    first.registerNew(product(product, "1.00"), null);
    await(executor.execute(contextOf(first)));
    Entity v1 = stored("product", product);
    UnitOfWork other = unit();
    other.registerDirty(product, "product", v1, e -> factory.applyChanges(e, Map.of("attributes",
        Map.of("price", "99.00")), catalog), null);
    await(executor.execute(contextOf(other)));
    return v1;
  }

  @Test
  void aFailingStepRollsBackTheWritesBeforeIt() {
    UnitOfWork unit = unit();
    String id = unique("c");
    unit.registerNew(custom(id), null);
    CommitStep failing = (conn, commit) -> Future.failedFuture(new UowException.Conflict("refused by a step"));

    assertThat(failureOf(executor.execute(contextOf(unit), List.of(failing), rows -> { })))
        .isInstanceOf(UowException.Conflict.class);
    assertThat(stored("custom", id)).isNull();
    assertThat(outboxRowsOf(unit)).isZero();
  }

  @Test
  void progressIsToldPerWriteBatchNotPerRow() {
    UnitOfWork unit = unit();
    for (int i = 0; i < 200; i++) {
      unit.registerNew(custom(unique("c" + i)), null);
    }
    List<Integer> told = new ArrayList<>();

    await(executor.execute(contextOf(unit), List.of(), told::add));

    assertThat(told).isNotEmpty().hasSizeLessThan(200).isSorted();
    assertThat(told.get(told.size() - 1)).isEqualTo(200);
  }

  private static UnitOfWork unit() {
    return new UnitOfWork(UUID.randomUUID().toString(), "tester", Instant.now(), service.config().limits());
  }

  private static CommitStep.Context contextOf(UnitOfWork unit) {
    FlushPlan plan = FlushPlanner.plan(unit.beginCommit(), catalog);
    Instant at = Instant.now();
    return new CommitStep.Context(unit.id(), "tester", plan, at, DomainEvents.ofCommit(unit.id(), "tester", plan, at));
  }

  /** The stored entity, read back through its table; null when there is none. */
  private static Entity stored(String type, String id) {
    return await(Tables.of(type).find(pool, type, id)).orElse(null);
  }

  private static long outboxRowsOf(UnitOfWork unit) {
    return service.query("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%" + unit.id() + "%'").get(0).getLong(0);
  }

  private static Entity user(String id) {
    return factory.create(Map.of("type", "user", "id", id, "name", "user " + id,
        "attributes", Map.of("email", id + "@example.com")), catalog);
  }

  private static Entity product(String id, String price) {
    return factory.create(Map.of("type", "product", "id", id, "name", "product " + id,
        "attributes", Map.of("sku", unique("sku"), "price", price)), catalog);
  }

  private static Entity custom(String id) {
    return factory.create(Map.of("type", "custom", "id", id, "name", "thing " + id), catalog);
  }
}
