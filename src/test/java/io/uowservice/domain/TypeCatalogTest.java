package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TypeCatalog: enabled built-ins plus runtime types, and their flush order")
class TypeCatalogTest {

  private static final List<String> ALL_BUILT_INS = BuiltInTypes.REFERENCE_ORDER;

  static EntityType runtime(String name, String... dependsOn) {
    return new EntityType(name, false, name, null, Set.of(dependsOn), AttributeRules.ANY,
        Map.of("type", "object"));
  }

  @Test
  void allBuiltInsFlushInTheContractsReferenceOrder() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of());

    assertThat(catalog.flushOrder()).containsExactly("user", "product", "order", "payment", "custom");
    assertThat(catalog.all()).extracting(EntityType::name)
        .containsExactlyInAnyOrder("user", "product", "order", "payment", "custom");
    assertThat(catalog.all()).allSatisfy(t -> assertThat(t.builtIn()).isTrue());
    assertThat(catalog.runtimeTypeCount()).isZero();
  }

  @Test
  void theOrderOfTheConfiguredListDoesNotMatter() {
    TypeCatalog catalog = TypeCatalog.of(List.of("custom", "payment", "order", "user", "product"), List.of());

    assertThat(catalog.flushOrder()).containsExactly("user", "product", "order", "payment", "custom");
  }

  @Test
  void builtInDependenciesFollowTheReferences() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of());

    assertThat(catalog.require("order").dependsOn()).containsExactlyInAnyOrder("user", "product");
    assertThat(catalog.require("payment").dependsOn()).containsExactly("order");
    assertThat(catalog.require("user").dependsOn()).isEmpty();
    assertThat(catalog.require("custom").dependsOn()).isEmpty();
  }

  @Test
  void onlyTheSupportedEntityTypesAreKnown() {
    TypeCatalog catalog = TypeCatalog.of(List.of("user", "custom"), List.of());

    assertThat(catalog.contains("user")).isTrue();
    assertThat(catalog.contains("custom")).isTrue();
    assertThat(catalog.contains("order")).isFalse();
    assertThat(catalog.find("order")).isEmpty();
    assertThat(catalog.flushOrder()).containsExactly("user", "custom");
    assertThatThrownBy(() -> catalog.require("order"))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> assertThat(e.errors()).singleElement()
            .satisfies(err -> {
              assertThat(err.field()).isEqualTo("type");
              assertThat(err.message()).contains("user").contains("custom").doesNotContain("order");
            }))
        .hasMessageContaining("unknown entity type 'order'");
  }

  @Test
  void anEnabledTypeWhoseDependencyIsDisabledStillFlushes() {
    TypeCatalog catalog = TypeCatalog.of(List.of("payment", "order"), List.of());

    assertThat(catalog.flushOrder()).containsExactly("order", "payment");
  }

  @Test
  void unknownTypeIsInvalid() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of());

    assertThatThrownBy(() -> catalog.require("widget"))
        .isInstanceOf(UowException.Invalid.class)
        .hasMessageContaining("widget");
    assertThatThrownBy(() -> catalog.require(null)).isInstanceOf(UowException.Invalid.class);
    assertThat(catalog.find(null)).isEmpty();
    assertThat(catalog.find("User")).as("names are case-sensitive").isEmpty();
  }

  @Test
  void runtimeTypesFlushAfterBuiltInsSortedByName() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of(runtime("zeta"), runtime("alpha")));

    assertThat(catalog.flushOrder()).containsExactly("user", "product", "order", "payment", "custom", "alpha", "zeta");
    assertThat(catalog.runtimeTypeCount()).isEqualTo(2);
    assertThat(catalog.require("alpha").builtIn()).isFalse();
  }

  @Test
  void runtimeTypesAreOrderedByTheirOwnDependencies() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of(runtime("alpha", "zeta"), runtime("zeta", "order")));

    assertThat(catalog.flushOrder()).containsExactly("user", "product", "order", "payment", "custom", "zeta", "alpha");
  }

  @Test
  void aRuntimeTypeCannotShadowAnEnabledBuiltIn() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of(runtime("user")));

    assertThat(catalog.require("user").builtIn()).isTrue();
    assertThat(catalog.runtimeTypeCount()).isZero();
  }

  @Test
  void withReturnsANewCatalogAndLeavesTheOriginalUnchanged() {
    TypeCatalog before = TypeCatalog.of(List.of("user", "custom"), List.of());

    TypeCatalog after = before.with(runtime("invoice"));

    assertThat(after.contains("invoice")).isTrue();
    assertThat(after.flushOrder()).containsExactly("user", "custom", "invoice");
    assertThat(after.runtimeTypeCount()).isEqualTo(1);
    assertThat(before.contains("invoice")).isFalse();
    assertThat(before.flushOrder()).containsExactly("user", "custom");
  }

  @Test
  void cyclicRuntimeTypesCannotBeOrdered() {
    assertThatThrownBy(() -> TypeCatalog.of(ALL_BUILT_INS, List.of(runtime("a", "b"), runtime("b", "a"))))
        .isInstanceOf(TopologicalSort.CycleException.class)
        .hasMessageContaining("a")
        .hasMessageContaining("b");
  }

  @Test
  void theCatalogIsReadOnly() {
    TypeCatalog catalog = TypeCatalog.of(ALL_BUILT_INS, List.of());

    assertThatThrownBy(() -> catalog.all().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> catalog.flushOrder().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
