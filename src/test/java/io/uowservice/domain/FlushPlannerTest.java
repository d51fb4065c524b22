package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.uowservice.domain.FlushPlan.Operation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FlushPlanner: write order, reference checks and version checks of a commit")
class FlushPlannerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final TypeCatalog CATALOG = TypeCatalog.of(BuiltInTypes.REFERENCE_ORDER, List.of());

  // --- building blocks: Tracked entries as a UnitOfWork would hold them ---

  static Tracked newEntity(String id, String type, Map<String, Object> attributes) {
    return new Tracked(Entity.fresh(id, type, id, null, null, null, attributes), EntityState.NEW, 0, null);
  }

  static Tracked newEntity(String id, String type) {
    return newEntity(id, type, Map.of());
  }

  static Tracked loaded(String id, String type, EntityState state, long expectedVersion, Map<String, Object> attrs) {
    Entity e = new Entity(id, type, id, null, Map.of(), true, expectedVersion, T0, T0, attrs);
    return new Tracked(e, state, expectedVersion, null);
  }

  static Tracked loaded(String id, String type, EntityState state, long expectedVersion) {
    return loaded(id, type, state, expectedVersion, Map.of());
  }

  static Map<String, Object> order(String userId, String... productIds) {
    List<Map<String, Object>> items = java.util.Arrays.stream(productIds)
        .map(p -> Map.<String, Object>of("product_id", p, "quantity", 1, "unit_price", "1.00"))
        .toList();
    return Map.of("user_id", userId, "items", items, "amount", "1.00", "currency", "EUR");
  }

  static Map<String, Object> payment(String orderId) {
    return Map.of("order_id", orderId, "amount", "1.00", "currency", "EUR", "method", "card");
  }

  static FlushPlan plan(Tracked... unit) {
    return FlushPlanner.plan(List.of(unit), CATALOG);
  }

  // --- write order ---

  @Test
  void writesAreOrderedUsersProductsOrdersPaymentsCustomRegardlessOfRegistrationOrder() {
    FlushPlan plan = plan(
        newEntity("c-1", "custom"),
        newEntity("pay-1", "payment", payment("o-1")),
        newEntity("o-1", "order", order("u-1", "p-1")),
        newEntity("p-1", "product"),
        newEntity("u-1", "user"));

    assertThat(plan.writes()).extracting(FlushPlan.WriteBatch::type, FlushPlan.WriteBatch::operation).containsExactly(
        tuple("user", Operation.INSERT),
        tuple("product", Operation.INSERT),
        tuple("order", Operation.INSERT),
        tuple("payment", Operation.INSERT),
        tuple("custom", Operation.INSERT));
  }

  @Test
  void eachTypeIsOneBatchPerOperationKeepingRegistrationOrderWithinIt() {
    FlushPlan plan = plan(
        newEntity("u-2", "user"),
        loaded("u-9", "user", EntityState.DIRTY, 1),
        newEntity("u-1", "user"),
        loaded("u-8", "user", EntityState.DIRTY, 1));

    assertThat(plan.writes()).hasSize(2);
    assertThat(plan.writes().get(0).operation()).isEqualTo(Operation.INSERT);
    assertThat(plan.writes().get(0).entities()).extracting(Tracked::id).containsExactly("u-2", "u-1");
    assertThat(plan.writes().get(1).operation()).isEqualTo(Operation.UPDATE);
    assertThat(plan.writes().get(1).entities()).extracting(Tracked::id).containsExactly("u-9", "u-8");
  }

  @Test
  void insertsAndUpdatesOfATypeComeBeforeTheNextType() {
    FlushPlan plan = plan(
        loaded("o-1", "order", EntityState.DIRTY, 2, order("u-1")),
        loaded("u-1", "user", EntityState.DIRTY, 1),
        newEntity("o-2", "order", order("u-1")),
        newEntity("u-2", "user"));

    assertThat(plan.writes()).extracting(FlushPlan.WriteBatch::type, FlushPlan.WriteBatch::operation).containsExactly(
        tuple("user", Operation.INSERT),
        tuple("user", Operation.UPDATE),
        tuple("order", Operation.INSERT),
        tuple("order", Operation.UPDATE));
  }

  @Test
  void deletesComeAfterAllSavesInReverseReferenceOrder() {
    FlushPlan plan = plan(
        loaded("u-1", "user", EntityState.DELETED, 1),
        loaded("p-1", "product", EntityState.DELETED, 1),
        loaded("o-1", "order", EntityState.DELETED, 1),
        loaded("pay-1", "payment", EntityState.DELETED, 1),
        loaded("c-1", "custom", EntityState.DELETED, 1),
        newEntity("c-2", "custom"),
        loaded("u-2", "user", EntityState.DIRTY, 4));

    assertThat(plan.writes()).extracting(FlushPlan.WriteBatch::type, FlushPlan.WriteBatch::operation).containsExactly(
        tuple("user", Operation.UPDATE),
        tuple("custom", Operation.INSERT),
        tuple("custom", Operation.DELETE),
        tuple("payment", Operation.DELETE),
        tuple("order", Operation.DELETE),
        tuple("product", Operation.DELETE),
        tuple("user", Operation.DELETE));
    assertThat(plan.count(Operation.INSERT)).isEqualTo(1);
    assertThat(plan.count(Operation.UPDATE)).isEqualTo(1);
    assertThat(plan.count(Operation.DELETE)).isEqualTo(5);
  }

  @Test
  void runtimeTypesAreWrittenAfterBuiltIns() {
    EntityType invoice = new EntityType("invoice", false, "Invoices", null, Set.of(), AttributeRules.ANY, null);
    TypeCatalog catalog = CATALOG.with(invoice);

    FlushPlan plan = FlushPlanner.plan(List.of(newEntity("i-1", "invoice"), newEntity("c-1", "custom"),
        newEntity("u-1", "user")), catalog);

    assertThat(plan.writes()).extracting(FlushPlan.WriteBatch::type).containsExactly("user", "custom", "invoice");
  }

  @Test
  void cleanEntitiesProduceNoWritesNoVersionChecksAndNoResults() {
    FlushPlan plan = plan(
        loaded("u-1", "user", EntityState.CLEAN, 3),
        loaded("o-1", "order", EntityState.CLEAN, 2, order("u-404")));

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.writes()).isEmpty();
    assertThat(plan.expectedVersions()).isEmpty();
    assertThat(plan.results()).isEmpty();
    assertThat(plan.references()).as("references of clean entities are not re-checked").isEmpty();
  }

  @Test
  void anEmptyUnitPlansNothing() {
    FlushPlan plan = FlushPlanner.plan(List.of(), CATALOG);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.referencedIds()).isEmpty();
    assertThat(plan.count(Operation.INSERT)).isZero();
  }

  // --- optimistic concurrency ---

  @Test
  void expectedVersionsAreCollectedForDirtyAndDeletedButNotCleanOrNew() {
    FlushPlan plan = plan(
        newEntity("u-new", "user"),
        loaded("u-dirty", "user", EntityState.DIRTY, 3),
        loaded("u-clean", "user", EntityState.CLEAN, 5),
        loaded("p-gone", "product", EntityState.DELETED, 7),
        loaded("u-gone", "user", EntityState.DELETED, 2));

    assertThat(plan.expectedVersions()).containsOnlyKeys("user", "product");
    assertThat(plan.expectedVersions().get("user")).containsExactlyInAnyOrderEntriesOf(
        Map.of("u-dirty", 3L, "u-gone", 2L));
    assertThat(plan.expectedVersions().get("product")).containsExactlyInAnyOrderEntriesOf(Map.of("p-gone", 7L));
  }

  @Test
  void expectedVersionIsTheTrackedOneNotTheEntitysOwnVersion() {
    // e.g. the client sent expected_version 2 while the loaded row had version 5
    Entity e = new Entity("u-1", "user", "u", null, Map.of(), true, 5, T0, T0, Map.of());
    FlushPlan plan = plan(new Tracked(e, EntityState.DIRTY, 2, null));

    assertThat(plan.expectedVersions()).containsEntry("user", Map.of("u-1", 2L));
    assertThat(plan.results()).singleElement().extracting(FlushPlan.Committed::version).isEqualTo(3L);
  }

  @Test
  void theVersionOfTheUnitsOwnCopyIsCheckedToo() {
    // loaded at version 1, the client then claims version 2: writing the version-1 copy would lose an update
    Entity copy = new Entity("p-1", "product", "p", null, Map.of(), true, 1, T0, T0,
        Map.of("sku", "s", "price", "1.00"));
    FlushPlan plan = plan(new Tracked(copy, EntityState.DIRTY, 2, null));

    assertThat(plan.expectedVersions()).containsEntry("product", Map.of("p-1", 2L));
    assertThat(plan.heldVersions()).containsEntry("product", Map.of("p-1", 1L));
  }

  @Test
  void linksAreRecordedForRuntimeTypesThatDeclareReferencesOnly() {
    EntityType employee = new EntityType("employee", false, "Staff", null, Set.of("employee"),
        new ReferencingRules(AttributeRules.ANY, Map.of("manager_id", "employee")), null);
    TypeCatalog catalog = CATALOG.with(employee);

    FlushPlan plan = FlushPlanner.plan(List.of(
        newEntity("boss", "employee"),
        newEntity("worker", "employee", Map.of("manager_id", "boss")),
        loaded("moved", "employee", EntityState.DIRTY, 3),
        loaded("gone", "employee", EntityState.DELETED, 1),
        newEntity("u-1", "user")), catalog);

    assertThat(plan.links()).containsOnlyKeys("boss", "worker", "moved");
    assertThat(plan.links().get("worker")).containsExactly(new Reference("attributes.manager_id", "employee", "boss"));
    assertThat(plan.links().get("moved")).as("a dirty entity without references clears its links").isEmpty();
  }

  // --- results ---

  @Test
  void resultsCarryVersionOneForNewAndExpectedPlusOneForDirtyInRegistrationOrder() {
    Tracked withLid = new Tracked(Entity.fresh("o-1", "order", "o", null, null, null, order("u-1")),
        EntityState.NEW, 0, "o1");
    FlushPlan plan = plan(
        loaded("u-1", "user", EntityState.DIRTY, 4),
        withLid,
        loaded("p-1", "product", EntityState.DELETED, 6),
        loaded("c-1", "custom", EntityState.CLEAN, 9));

    assertThat(plan.results()).extracting(FlushPlan.Committed::id, FlushPlan.Committed::type,
        FlushPlan.Committed::version, FlushPlan.Committed::state, FlushPlan.Committed::lid).containsExactly(
        tuple("u-1", "user", 5L, EntityState.DIRTY, null),
        tuple("o-1", "order", 1L, EntityState.NEW, "o1"),
        tuple("p-1", "product", 6L, EntityState.DELETED, null));
  }

  // --- references ---

  @Test
  void referencesToEntitiesNewInTheUnitNeedNoDatabaseCheck() {
    FlushPlan plan = plan(
        newEntity("pay-1", "payment", payment("o-1")),
        newEntity("o-1", "order", order("u-1", "p-1", "p-2")),
        newEntity("u-1", "user"),
        newEntity("p-1", "product"),
        newEntity("p-2", "product"));

    assertThat(plan.references()).isEmpty();
    assertThat(plan.referencedIds()).isEmpty();
  }

  @Test
  void referencesToEntitiesTrackedDirtyOrCleanNeedNoDatabaseCheck() {
    FlushPlan plan = plan(
        newEntity("o-1", "order", order("u-1", "p-1")),
        loaded("u-1", "user", EntityState.DIRTY, 1),
        loaded("p-1", "product", EntityState.CLEAN, 1));

    assertThat(plan.references()).isEmpty();
  }

  @Test
  void referencesToUntrackedIdsAreListedAsPendingReferences() {
    FlushPlan plan = plan(newEntity("o-1", "order", order("u-stored", "p-1", "p-stored")),
        newEntity("p-1", "product"));

    assertThat(plan.references()).containsExactly(
        new FlushPlan.PendingReference("order", "o-1", new Reference("attributes.user_id", "user", "u-stored")),
        new FlushPlan.PendingReference("order", "o-1",
            new Reference("attributes.items[1].product_id", "product", "p-stored")));
  }

  @Test
  void referencedIdsGroupsPendingReferencesByTargetType() {
    FlushPlan plan = plan(
        newEntity("o-1", "order", order("u-2", "p-1", "p-2")),
        newEntity("o-2", "order", order("u-1", "p-1")),
        newEntity("pay-1", "payment", payment("o-stored")),
        loaded("o-3", "order", EntityState.DIRTY, 1, order("u-2")));

    assertThat(plan.referencedIds()).containsOnlyKeys("user", "product", "order");
    assertThat(plan.referencedIds().get("user")).containsExactly("u-1", "u-2");
    assertThat(plan.referencedIds().get("product")).containsExactly("p-1", "p-2");
    assertThat(plan.referencedIds().get("order")).containsExactly("o-stored");
    assertThat(plan.references()).hasSize(7);
  }

  @Test
  void referencesOfDeletedEntitiesAreNotChecked() {
    FlushPlan plan = plan(
        loaded("o-1", "order", EntityState.DELETED, 1, order("u-1")),
        loaded("u-1", "user", EntityState.DELETED, 1));

    assertThat(plan.references()).isEmpty();
    assertThat(plan.count(Operation.DELETE)).isEqualTo(2);
  }

  @Test
  void referenceToAnEntityTheUnitDeletesIsInvalidNamingTheField() {
    assertThatThrownBy(() -> plan(
        newEntity("o-1", "order", order("u-1")),
        loaded("u-1", "user", EntityState.DELETED, 1)))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> {
          assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).contains("o-1").contains("attributes.user_id");
            assertThat(err.message()).contains("u-1").contains("deletes");
          });
        });
  }

  @Test
  void dirtyEntityReferencingAnEntityTheUnitDeletesIsInvalid() {
    assertThatThrownBy(() -> plan(
        loaded("pay-1", "payment", EntityState.DIRTY, 2, payment("o-1")),
        loaded("o-1", "order", EntityState.DELETED, 1)))
        .isInstanceOfSatisfying(UowException.Invalid.class,
            e -> assertThat(e.errors()).extracting(FieldError::field)
                .singleElement().asString().contains("attributes.order_id"));
  }

  @Test
  void referenceToAnIdOfTheWrongTypeIsInvalid() {
    assertThatThrownBy(() -> plan(
        newEntity("o-1", "order", order("p-1", "u-1")),
        newEntity("p-1", "product"),
        newEntity("u-1", "user")))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> {
          assertThat(e.errors()).hasSize(2);
          assertThat(e.errors()).extracting(FieldError::field).anySatisfy(f -> assertThat(f).contains("attributes.user_id"))
              .anySatisfy(f -> assertThat(f).contains("attributes.items[0].product_id"));
          assertThat(e.errors()).extracting(FieldError::message)
              .anySatisfy(m -> assertThat(m).contains("p-1 is a product, not a user"));
        });
  }

  @Test
  void unknownTypeInTheUnitIsInvalid() {
    assertThatThrownBy(() -> plan(newEntity("w-1", "widget")))
        .isInstanceOf(UowException.Invalid.class)
        .hasMessageContaining("widget");
  }
}
