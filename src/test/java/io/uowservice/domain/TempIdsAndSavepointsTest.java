package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Temp ids (lids), self-referencing types and savepoints in the pure core")
class TempIdsAndSavepointsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final EntityType EMPLOYEE = new EntityType("employee", false, "Staff", null, java.util.Set.of(
      "employee"), new ReferencingRules(AttributeRules.ANY, Map.of("manager_id", "employee")), null);
  private static final TypeCatalog CATALOG = TypeCatalog.of(BuiltInTypes.REFERENCE_ORDER, List.of(EMPLOYEE));
  private static final EntityFactory FACTORY = new EntityFactory(UnitLimits.DEFAULTS, "custom");

  private static UnitOfWork unit() {
    return new UnitOfWork("u", "alice", T0, UnitLimits.DEFAULTS);
  }

  private static Entity employee(String id, Object manager) {
    return FACTORY.create(Map.of("type", "employee", "id", id, "name", id,
        "attributes", manager == null ? Map.of() : Map.of("manager_id", manager)), CATALOG);
  }

  @Test
  void lidReferencesAnywhereInAttributesResolveToIds() {
    List<FieldError> errors = new ArrayList<>();
    Map<String, Object> resolved = Lids.resolve(Map.of("user_id", Map.of("lid", "u1"),
        "items", List.of(Map.of("product_id", Map.of("lid", "p1"), "quantity", 1))),
        Map.of("u1", "user-9", "p1", "prod-3")::get, "attributes", errors);

    assertThat(errors).isEmpty();
    assertThat(resolved.get("user_id")).isEqualTo("user-9");
    assertThat(resolved.get("items")).isEqualTo(List.of(Map.of("product_id", "prod-3", "quantity", 1)));
  }

  @Test
  void anUnknownLidIsAnErrorNamingTheFieldAndTheLid() {
    List<FieldError> errors = new ArrayList<>();
    Lids.resolve(Map.of("user_id", Map.of("lid", "ghost")), lid -> null, "attributes", errors);

    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.field()).isEqualTo("attributes.user_id");
      assertThat(e.message()).contains("ghost");
    });
  }

  @Test
  void aUnitKnowsTheIdOfEachLidAndRefusesALidTwice() {
    UnitOfWork unit = unit();
    unit.registerNew(employee("e1", null), "boss");

    assertThat(unit.idForLid("boss")).isEqualTo("e1");
    assertThatThrownBy(() -> unit.registerNew(employee("e2", null), "boss")).isInstanceOf(UowException.Invalid.class);
    unit.registerDeleted("e1", null, null, null);
    assertThat(unit.idForLid("boss")).as("a new entity deleted again frees its lid").isNull();
  }

  @Test
  void newEntitiesOfASelfReferencingTypeAreInsertedReferencedFirst() {
    UnitOfWork unit = unit();
    unit.registerNew(employee("worker", "boss"), null);
    unit.registerNew(employee("lead", "boss"), null);
    unit.registerNew(employee("boss", null), null);

    FlushPlan plan = FlushPlanner.plan(unit.entities(), CATALOG);

    assertThat(plan.writes()).singleElement().satisfies(batch ->
        assertThat(batch.entities()).extracting(Tracked::id).containsExactly("boss", "worker", "lead"));
    assertThat(plan.references()).isEmpty();
  }

  @Test
  void aCycleAmongNewEntitiesIsInvalidAndNamesItsMembersByLid() {
    UnitOfWork unit = unit();
    unit.registerNew(employee("a", "b"), "alice");
    unit.registerNew(employee("b", "a"), "bob");

    assertThatThrownBy(() -> FlushPlanner.plan(unit.entities(), CATALOG))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> assertThat(e.getMessage())
            .contains("cycle").contains("lid alice").contains("lid bob"));
  }

  @Test
  void aDeclaredReferenceToAStoredEntityIsLeftForTheDatabaseToConfirm() {
    UnitOfWork unit = unit();
    unit.registerNew(employee("new-hire", "stored-boss"), null);

    FlushPlan plan = FlushPlanner.plan(unit.entities(), CATALOG);

    assertThat(plan.referencedIds()).containsEntry("employee", java.util.Set.of("stored-boss"));
  }

  @Test
  void rollingBackToASavepointRestoresTheSetsAndDropsLaterSavepoints() {
    UnitOfWork unit = unit();
    Entity stored = new Entity("s1", "custom", "stored", null, Map.of(), true, 4, T0, T0, Map.of());
    unit.registerNew(employee("e1", null), "first");
    unit.registerClean("s1", null, stored);
    Map<String, Tracked> before = unit.snapshot();
    unit.savepoint("one", T0);

    unit.registerNew(employee("e2", null), "second");
    unit.registerDirty("s1", null, null, e -> e, null);
    unit.savepoint("two", T0);
    Savepoint restored = unit.rollbackTo("one");

    assertThat(restored.name()).isEqualTo("one");
    assertThat(unit.snapshot()).isEqualTo(before);
    assertThat(unit.idForLid("second")).isNull();
    assertThat(unit.idForLid("first")).isEqualTo("e1");
    assertThat(unit.savepoints()).extracting(Savepoint::name).containsExactly("one");
    assertThatThrownBy(() -> unit.rollbackTo("two")).isInstanceOf(UowException.NotFound.class);
  }

  @Test
  void aSavepointOfTheSameNameIsReplacedAndCommitOrDiscardDropsAll() {
    UnitOfWork unit = unit();
    unit.savepoint("sp", T0);
    unit.registerNew(employee("e1", null), null);
    unit.savepoint("sp", T0.plus(Duration.ofSeconds(1)));

    assertThat(unit.savepoints()).singleElement().satisfies(sp ->
        assertThat(sp.counts().get(EntityState.NEW)).isEqualTo(1));
    unit.beginCommit();
    unit.completeCommit();
    assertThat(unit.savepoints()).isEmpty();
  }
}
