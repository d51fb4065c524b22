package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UnitOfWork: identity map, the four sets and the commit lifecycle")
class UnitOfWorkTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private final UnitOfWork unit = new UnitOfWork("uow-1", "alice", T0, UnitLimits.DEFAULTS);
  /** A unit that holds at most two entities. */
  private final UnitOfWork small = new UnitOfWork("uow-small", "alice", T0, new UnitLimits(2, 100, 500));
  private final Duration idle = Duration.ofMinutes(15);

  static Entity stored(String id, String type, long version, Map<String, Object> attributes) {
    return new Entity(id, type, "name-" + id, null, Map.of(), true, version, T0, T0, attributes);
  }

  static Entity stored(String id, String type, long version) {
    return stored(id, type, version, Map.of());
  }

  static Entity fresh(String id, String type) {
    return Entity.fresh(id, type, "name-" + id, null, null, null, Map.of());
  }

  /** A change that sets one attribute (what EntityFactory.applyChanges would do, minus validation). */
  static UnaryOperator<Entity> set(String key, Object value) {
    return e -> {
      Map<String, Object> attrs = new LinkedHashMap<>(e.attributes());
      attrs.put(key, value);
      return e.withAttributes(attrs);
    };
  }

  static UnaryOperator<Entity> noChange() {
    return UnaryOperator.identity();
  }

  // --- registering new entities ---

  @Test
  void newEntityIsTrackedInTheNewSetWithItsLid() {
    UnitOfWork.Registration r = unit.registerNew(fresh("c-1", "custom"), "L1");

    assertThat(r.state()).isEqualTo(EntityState.NEW);
    assertThat(r.tracked()).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.NEW);
      assertThat(t.lid()).isEqualTo("L1");
      assertThat(t.id()).isEqualTo("c-1");
    });
    assertThat(unit.isTracked("c-1")).isTrue();
    assertThat(unit.size()).isEqualTo(1);
    assertThat(unit.entities(EntityState.NEW)).extracting(Tracked::id).containsExactly("c-1");
  }

  @Test
  void newTwiceWithTheSameIdIsAConflict() {
    unit.registerNew(fresh("c-1", "custom"), null);

    assertThatThrownBy(() -> unit.registerNew(fresh("c-1", "custom"), null))
        .isInstanceOf(UowException.Conflict.class)
        .hasMessageContaining("c-1")
        .hasMessageContaining("new");
    assertThat(unit.size()).isEqualTo(1);
  }

  @Test
  void newForAnIdAlreadyTrackedAsDirtyIsAConflict() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 3), noChange(), null);

    assertThatThrownBy(() -> unit.registerNew(fresh("u-1", "user"), null))
        .isInstanceOf(UowException.Conflict.class)
        .hasMessageContaining("dirty");
    assertThat(unit.tracked("u-1")).get().extracting(Tracked::state).isEqualTo(EntityState.DIRTY);
  }

  // --- identity-map rules for a second registration of the same id ---

  @Test
  void newThenDirtyStaysNewWithChangesMerged() {
    unit.registerNew(Entity.fresh("p-1", "product", "Pen", null, null, null, Map.of("sku", "PEN", "stock", 1)), "L");

    UnitOfWork.Registration r = unit.registerDirty("p-1", "product", null, set("stock", 7), 42L);

    assertThat(r.state()).isEqualTo(EntityState.NEW);
    Tracked t = unit.tracked("p-1").orElseThrow();
    assertThat(t.state()).isEqualTo(EntityState.NEW);
    assertThat(t.entity().attributes()).containsEntry("sku", "PEN").containsEntry("stock", 7);
    assertThat(t.expectedVersion()).as("a new entity has no stored version to check").isZero();
    assertThat(t.lid()).isEqualTo("L");
    assertThat(unit.counts()).containsEntry(EntityState.NEW, 1).containsEntry(EntityState.DIRTY, 0);
  }

  @Test
  void newThenDeletedRemovesItFromTheUnit() {
    unit.registerNew(fresh("c-1", "custom"), null);

    UnitOfWork.Registration r = unit.registerDeleted("c-1", "custom", null, null);

    assertThat(r.tracked()).isEmpty();
    assertThat(r.state()).isEqualTo(EntityState.DELETED);
    assertThat(r.entity().id()).isEqualTo("c-1");
    assertThat(unit.isTracked("c-1")).isFalse();
    assertThat(unit.size()).isZero();
  }

  @Test
  void dirtyThenDeletedBecomesDeletedKeepingTheExpectedVersion() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 4), set("role", "admin"), null);

    UnitOfWork.Registration r = unit.registerDeleted("u-1", "user", null, null);

    assertThat(r.state()).isEqualTo(EntityState.DELETED);
    Tracked t = unit.tracked("u-1").orElseThrow();
    assertThat(t.state()).isEqualTo(EntityState.DELETED);
    assertThat(t.expectedVersion()).isEqualTo(4);
    assertThat(unit.entities(EntityState.DIRTY)).isEmpty();
  }

  @Test
  void cleanThenDeletedBecomesDeleted() {
    unit.registerClean("u-1", "user", stored("u-1", "user", 2));

    unit.registerDeleted("u-1", "user", null, null);

    assertThat(unit.tracked("u-1")).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.DELETED);
      assertThat(t.expectedVersion()).isEqualTo(2);
    });
  }

  @Test
  void cleanThenDirtyBecomesDirty() {
    unit.registerClean("u-1", "user", stored("u-1", "user", 5));

    UnitOfWork.Registration r = unit.registerDirty("u-1", "user", null, set("status", "closed"), null);

    assertThat(r.state()).isEqualTo(EntityState.DIRTY);
    Tracked t = unit.tracked("u-1").orElseThrow();
    assertThat(t.state()).isEqualTo(EntityState.DIRTY);
    assertThat(t.expectedVersion()).isEqualTo(5);
    assertThat(t.entity().attributes()).containsEntry("status", "closed");
  }

  @Test
  void dirtyTwiceAccumulatesChangesOnTheUnitsCopy() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 1), set("role", "admin"), null);

    // a different "loaded" copy is ignored: the identity map wins
    unit.registerDirty("u-1", "user", stored("u-1", "user", 9, Map.of("role", "customer")), set("status", "closed"),
        null);

    Tracked t = unit.tracked("u-1").orElseThrow();
    assertThat(t.entity().attributes()).containsEntry("role", "admin").containsEntry("status", "closed");
    assertThat(t.expectedVersion()).isEqualTo(1);
    assertThat(unit.size()).isEqualTo(1);
  }

  @Test
  void deletedThenDirtyIsAConflict() {
    unit.registerDeleted("u-1", "user", stored("u-1", "user", 1), null);

    assertThatThrownBy(() -> unit.registerDirty("u-1", "user", null, set("role", "admin"), null))
        .isInstanceOf(UowException.Conflict.class)
        .hasMessageContaining("u-1")
        .hasMessageContaining("deleted");
    assertThat(unit.tracked("u-1")).get().extracting(Tracked::state).isEqualTo(EntityState.DELETED);
  }

  @Test
  void deletedThenCleanIsAConflict() {
    unit.registerDeleted("u-1", "user", stored("u-1", "user", 1), null);

    assertThatThrownBy(() -> unit.registerClean("u-1", "user", null))
        .isInstanceOf(UowException.Conflict.class);
  }

  @Test
  void deletedThenDeletedIsANoOp() {
    unit.registerDeleted("u-1", "user", stored("u-1", "user", 3), null);
    Tracked before = unit.tracked("u-1").orElseThrow();

    UnitOfWork.Registration r = unit.registerDeleted("u-1", "user", stored("u-1", "user", 8), null);

    assertThat(r.state()).isEqualTo(EntityState.DELETED);
    assertThat(unit.tracked("u-1")).contains(before);
    assertThat(unit.size()).isEqualTo(1);
  }

  @Test
  void cleanThenCleanKeepsTheTrackedCopy() {
    unit.registerClean("u-1", "user", stored("u-1", "user", 3));

    unit.registerClean("u-1", "user", stored("u-1", "user", 9));

    assertThat(unit.tracked("u-1")).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.CLEAN);
      assertThat(t.expectedVersion()).isEqualTo(3);
    });
  }

  @Test
  void dirtyThenCleanKeepsItDirty() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 3), set("role", "admin"), null);

    UnitOfWork.Registration r = unit.registerClean("u-1", "user", null);

    assertThat(r.state()).isEqualTo(EntityState.DIRTY);
    assertThat(unit.tracked("u-1")).get().extracting(Tracked::state).isEqualTo(EntityState.DIRTY);
  }

  @Test
  void typeMismatchWithTheTrackedEntityIsInvalid() {
    unit.registerNew(fresh("x-1", "custom"), null);

    assertThatThrownBy(() -> unit.registerDirty("x-1", "user", null, noChange(), null))
        .isInstanceOfSatisfying(UowException.Invalid.class,
            e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("type"))
        .hasMessageContaining("custom");
    assertThatThrownBy(() -> unit.registerDeleted("x-1", "user", null, null))
        .isInstanceOf(UowException.Invalid.class);
    assertThatThrownBy(() -> unit.registerClean("x-1", "user", null))
        .isInstanceOf(UowException.Invalid.class);
    assertThat(unit.tracked("x-1")).get().extracting(Tracked::state).isEqualTo(EntityState.NEW);
  }

  @Test
  void aNullTypeMatchesWhateverIsTracked() {
    unit.registerNew(fresh("x-1", "custom"), null);

    assertThat(unit.registerDirty("x-1", null, null, set("k", "v"), null).state()).isEqualTo(EntityState.NEW);
  }

  // --- loading untracked entities ---

  @Test
  void untrackedWithoutALoadedEntityIsNotFound() {
    assertThatThrownBy(() -> unit.registerDirty("u-404", "user", null, noChange(), null))
        .isInstanceOf(UowException.NotFound.class)
        .hasMessageContaining("user")
        .hasMessageContaining("u-404");
    assertThatThrownBy(() -> unit.registerDeleted("u-404", null, null, null))
        .isInstanceOf(UowException.NotFound.class);
    assertThatThrownBy(() -> unit.registerClean("u-404", "user", null))
        .isInstanceOf(UowException.NotFound.class);
    assertThat(unit.size()).isZero();
  }

  @Test
  void loadedEntityOfAnotherTypeIsNotFound() {
    assertThatThrownBy(() -> unit.registerDirty("p-1", "user", stored("p-1", "product", 1), noChange(), null))
        .isInstanceOf(UowException.NotFound.class);
    assertThat(unit.isTracked("p-1")).isFalse();
  }

  @Test
  void dirtyCarriesTheLoadedVersionAsExpectedVersion() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 6), set("role", "merchant"), null);

    Tracked t = unit.tracked("u-1").orElseThrow();
    assertThat(t.state()).isEqualTo(EntityState.DIRTY);
    assertThat(t.expectedVersion()).isEqualTo(6);
    assertThat(t.entity().attributes()).containsEntry("role", "merchant");
  }

  @Test
  void cleanTracksTheLoadedEntityUnchanged() {
    Entity loaded = stored("u-1", "user", 2, Map.of("role", "admin"));

    UnitOfWork.Registration r = unit.registerClean("u-1", "user", loaded);

    assertThat(r.state()).isEqualTo(EntityState.CLEAN);
    assertThat(r.entity()).isEqualTo(loaded);
    assertThat(unit.tracked("u-1")).get().extracting(Tracked::expectedVersion).isEqualTo(2L);
  }

  // --- expected_version ---

  @Test
  void expectedVersionOnDirtyOverridesTheLoadedVersion() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 5), noChange(), 3L);

    assertThat(unit.tracked("u-1")).get().extracting(Tracked::expectedVersion).isEqualTo(3L);
  }

  @Test
  void overrideIsKeptByLaterRegistrationsWithoutOne() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 5), noChange(), 3L);
    unit.registerDirty("u-1", "user", null, set("role", "admin"), null);
    assertThat(unit.tracked("u-1")).get().extracting(Tracked::expectedVersion).isEqualTo(3L);

    unit.registerDeleted("u-1", "user", null, null);
    assertThat(unit.tracked("u-1")).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.DELETED);
      assertThat(t.expectedVersion()).isEqualTo(3L);
    });
  }

  @Test
  void laterOverrideReplacesAnEarlierOne() {
    unit.registerDirty("u-1", "user", stored("u-1", "user", 5), noChange(), 3L);
    unit.registerDirty("u-1", "user", null, noChange(), 4L);

    assertThat(unit.tracked("u-1")).get().extracting(Tracked::expectedVersion).isEqualTo(4L);
  }

  @Test
  void expectedVersionOnDeletedOverridesTheLoadedVersion() {
    unit.registerDeleted("u-1", "user", stored("u-1", "user", 5), 2L);

    assertThat(unit.tracked("u-1")).get().extracting(Tracked::expectedVersion).isEqualTo(2L);
  }

  @Test
  void deletedAgainWithADifferentExpectedVersionUpdatesIt() {
    unit.registerDeleted("u-1", "user", stored("u-1", "user", 5), null);

    unit.registerDeleted("u-1", "user", null, 7L);

    assertThat(unit.tracked("u-1")).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.DELETED);
      assertThat(t.expectedVersion()).isEqualTo(7L);
    });
  }

  // --- limits ---

  @Test
  void registeringPastMaxEntitiesIsLimitExceeded() {
    small.registerNew(fresh("a", "custom"), null);
    small.registerClean("b", "custom", stored("b", "custom", 1));

    assertThatThrownBy(() -> small.registerNew(fresh("c", "custom"), null))
        .isInstanceOf(UowException.LimitExceeded.class)
        .hasMessageContaining("2");
    assertThatThrownBy(() -> small.registerDirty("d", "custom", stored("d", "custom", 1), noChange(), null))
        .isInstanceOf(UowException.LimitExceeded.class);
    assertThatThrownBy(() -> small.registerDeleted("d", "custom", stored("d", "custom", 1), null))
        .isInstanceOf(UowException.LimitExceeded.class);
    assertThatThrownBy(() -> small.registerClean("d", "custom", stored("d", "custom", 1)))
        .isInstanceOf(UowException.LimitExceeded.class);
    assertThat(small.size()).isEqualTo(2);
  }

  @Test
  void reRegisteringATrackedIdAtTheLimitIsAllowed() {
    small.registerNew(fresh("a", "custom"), null);
    small.registerClean("b", "custom", stored("b", "custom", 1));

    small.registerDirty("b", "custom", null, set("k", 1), null);
    small.registerDirty("a", "custom", null, set("k", 2), null);

    assertThat(small.counts()).containsEntry(EntityState.NEW, 1).containsEntry(EntityState.DIRTY, 1);
  }

  @Test
  void droppingANewEntityFreesRoom() {
    small.registerNew(fresh("a", "custom"), null);
    small.registerNew(fresh("b", "custom"), null);
    small.registerDeleted("a", "custom", null, null);

    small.registerNew(fresh("c", "custom"), null);

    assertThat(small.entities()).extracting(Tracked::id).containsExactly("b", "c");
  }

  // --- commit lifecycle ---

  @Test
  void beginCommitFreezesTheEntriesAndBlocksEveryRegistration() {
    unit.registerNew(fresh("c-1", "custom"), null);
    unit.registerClean("u-1", "user", stored("u-1", "user", 1));

    var frozen = unit.beginCommit();

    assertThat(unit.status()).isEqualTo(UnitOfWork.Status.COMMITTING);
    assertThat(frozen).extracting(Tracked::id).containsExactly("c-1", "u-1");
    assertThatThrownBy(() -> unit.registerNew(fresh("c-2", "custom"), null))
        .isInstanceOf(UowException.Conflict.class).hasMessageContaining("being committed");
    assertThatThrownBy(() -> unit.registerDirty("u-1", "user", null, noChange(), null))
        .isInstanceOf(UowException.Conflict.class);
    assertThatThrownBy(() -> unit.registerDeleted("u-1", "user", null, null))
        .isInstanceOf(UowException.Conflict.class);
    assertThatThrownBy(() -> unit.registerClean("u-2", "user", stored("u-2", "user", 1)))
        .isInstanceOf(UowException.Conflict.class);
    assertThatThrownBy(unit::discardAll).isInstanceOf(UowException.Conflict.class);
    assertThatThrownBy(unit::beginCommit).isInstanceOf(UowException.Conflict.class);
    assertThatThrownBy(() -> unit.restore(Map.of())).isInstanceOf(UowException.Conflict.class);
    assertThat(unit.size()).isEqualTo(2);
  }

  @Test
  void completeCommitEmptiesTheUnitAndReopensIt() {
    unit.registerNew(fresh("c-1", "custom"), null);
    unit.registerDirty("u-1", "user", stored("u-1", "user", 1), noChange(), null);
    unit.beginCommit();

    unit.completeCommit();

    assertThat(unit.status()).isEqualTo(UnitOfWork.Status.OPEN);
    assertThat(unit.size()).isZero();
    assertThat(unit.entities()).isEmpty();
    // reusable: the same id can be registered again
    unit.registerNew(fresh("c-1", "custom"), null);
    assertThat(unit.size()).isEqualTo(1);
  }

  @Test
  void abortCommitKeepsEverythingRegistered() {
    unit.registerNew(fresh("c-1", "custom"), null);
    unit.registerDirty("u-1", "user", stored("u-1", "user", 2), set("role", "admin"), null);
    unit.registerDeleted("u-2", "user", stored("u-2", "user", 3), null);
    var before = unit.snapshot();
    unit.beginCommit();

    unit.abortCommit();

    assertThat(unit.status()).isEqualTo(UnitOfWork.Status.OPEN);
    assertThat(unit.snapshot()).isEqualTo(before);
    unit.registerClean("u-3", "user", stored("u-3", "user", 1));
    assertThat(unit.size()).isEqualTo(4);
  }

  @Test
  void completeOrAbortWithoutBeginIsAProgrammingError() {
    assertThatThrownBy(unit::completeCommit).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(unit::abortCommit).isInstanceOf(IllegalStateException.class);
  }

  // --- listing, discarding, snapshots ---

  @Test
  void countsCoverAllFourSetsIncludingEmptyOnes() {
    assertThat(unit.counts()).containsOnlyKeys(EntityState.values()).allSatisfy((k, v) -> assertThat(v).isZero());

    unit.registerNew(fresh("a", "custom"), null);
    unit.registerNew(fresh("b", "custom"), null);
    unit.registerDirty("u-1", "user", stored("u-1", "user", 1), noChange(), null);
    unit.registerDeleted("u-2", "user", stored("u-2", "user", 1), null);
    unit.registerClean("u-3", "user", stored("u-3", "user", 1));

    assertThat(unit.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
        EntityState.NEW, 2, EntityState.DIRTY, 1, EntityState.DELETED, 1, EntityState.CLEAN, 1));
    assertThat(unit.entities()).extracting(Tracked::id).containsExactly("a", "b", "u-1", "u-2", "u-3");
    assertThat(unit.entities(EntityState.NEW)).extracting(Tracked::id).containsExactly("a", "b");
    assertThat(unit.entities(EntityState.CLEAN)).extracting(Tracked::id).containsExactly("u-3");
  }

  @Test
  void discardAllEmptiesTheUnitAndCountsWhatItHeld() {
    unit.registerNew(fresh("a", "custom"), null);
    unit.registerDirty("u-1", "user", stored("u-1", "user", 1), noChange(), null);
    unit.registerDeleted("u-2", "user", stored("u-2", "user", 1), null);
    unit.registerDeleted("u-3", "user", stored("u-3", "user", 1), null);

    Map<EntityState, Integer> discarded = unit.discardAll();

    assertThat(discarded).containsExactlyInAnyOrderEntriesOf(Map.of(
        EntityState.NEW, 1, EntityState.DIRTY, 1, EntityState.DELETED, 2, EntityState.CLEAN, 0));
    assertThat(unit.size()).isZero();
    assertThat(unit.discardAll()).allSatisfy((k, v) -> assertThat(v).isZero());
  }

  @Test
  void snapshotIsACopyAndRestorePutsItBack() {
    unit.registerNew(fresh("a", "custom"), null);
    unit.registerDirty("u-1", "user", stored("u-1", "user", 4), set("role", "admin"), 3L);
    Map<String, Tracked> snapshot = unit.snapshot();

    unit.registerNew(fresh("b", "custom"), null);
    unit.registerDeleted("u-1", "user", null, null);
    unit.registerDeleted("a", "custom", null, null);
    assertThat(snapshot).containsOnlyKeys("a", "u-1");

    unit.restore(snapshot);

    assertThat(unit.entities()).extracting(Tracked::id).containsExactly("a", "u-1");
    assertThat(unit.tracked("a")).get().extracting(Tracked::state).isEqualTo(EntityState.NEW);
    assertThat(unit.tracked("u-1")).get().satisfies(t -> {
      assertThat(t.state()).isEqualTo(EntityState.DIRTY);
      assertThat(t.expectedVersion()).isEqualTo(3L);
      assertThat(t.entity().attributes()).containsEntry("role", "admin");
    });
    assertThat(unit.isTracked("b")).isFalse();
  }

  @Test
  void restoreDoesNotAliasTheSnapshotMap() {
    Map<String, Tracked> snapshot = new HashMap<>();
    snapshot.put("a", new Tracked(fresh("a", "custom"), EntityState.NEW, 0, null));
    unit.restore(snapshot);

    snapshot.clear();

    assertThat(unit.isTracked("a")).isTrue();
  }

  // --- idle expiry ---

  @Test
  void expiresAfterTheIdleTimeoutSinceTheLastActivity() {
    assertThat(unit.expiresAt(idle)).isEqualTo(T0.plus(idle));
    assertThat(unit.isExpired(T0.plus(idle).minusMillis(1), idle)).isFalse();
    assertThat(unit.isExpired(T0.plus(idle), idle)).isTrue();
    assertThat(unit.isExpired(T0.plus(Duration.ofHours(1)), idle)).isTrue();
  }

  @Test
  void touchPostponesExpiry() {
    Instant later = T0.plus(Duration.ofMinutes(10));
    unit.touch(later);

    assertThat(unit.lastActivity()).isEqualTo(later);
    assertThat(unit.createdAt()).isEqualTo(T0);
    assertThat(unit.expiresAt(idle)).isEqualTo(later.plus(idle));
    assertThat(unit.isExpired(T0.plus(idle), idle)).isFalse();
    assertThat(unit.isExpired(later.plus(idle), idle)).isTrue();
  }

  @Test
  void aCommittingUnitNeverExpires() {
    unit.beginCommit();

    assertThat(unit.isExpired(T0.plus(Duration.ofDays(1)), idle)).isFalse();

    unit.abortCommit();
    assertThat(unit.isExpired(T0.plus(Duration.ofDays(1)), idle)).isTrue();
  }

  @Test
  void exposesIdentity() {
    assertThat(unit.id()).isEqualTo("uow-1");
    assertThat(unit.owner()).isEqualTo("alice");
    assertThat(unit.status()).isEqualTo(UnitOfWork.Status.OPEN);
  }

  // --- fingerprints (what an Idempotency-Key is bound to) ---

  @Test
  void theFingerprintIsTheSameForTheSameContentWhateverTheOrderOfItsMaps() {
    UnitOfWork other = new UnitOfWork("uow-2", "alice", T0, UnitLimits.DEFAULTS);
    unit.registerNew(Entity.fresh("a", "custom", "a", null, null, null, Map.of("x", 1, "y", 2)), null);
    java.util.LinkedHashMap<String, Object> reversed = new java.util.LinkedHashMap<>();
    reversed.put("y", 2);
    reversed.put("x", 1);
    other.registerNew(Entity.fresh("a", "custom", "a", null, null, null, reversed), null);

    assertThat(unit.fingerprint()).isEqualTo(other.fingerprint());
  }

  @Test
  void theFingerprintChangesWithAnyEntryStateOrValue() {
    String empty = unit.fingerprint();
    unit.registerNew(fresh("a", "custom"), null);
    String one = unit.fingerprint();
    unit.registerDirty("a", null, null, set("x", 1), null);
    String changed = unit.fingerprint();
    unit.registerClean("s", "user", stored("s", "user", 4));
    String withClean = unit.fingerprint();

    assertThat(java.util.List.of(empty, one, changed, withClean)).doesNotHaveDuplicates();
  }
}
