package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TopologicalSort: dependencies first, stable tie-break, cycles named")
class TopologicalSortTest {

  /** Sorts {@code nodes}, each depending on the nodes {@code deps} maps it to. */
  static List<String> sort(List<String> nodes, Map<String, Set<String>> deps) {
    return TopologicalSort.sort(nodes, n -> deps.getOrDefault(n, Set.of()));
  }

  @Test
  void withoutDependenciesTheInputOrderIsKept() {
    assertThat(sort(List.of("c", "a", "b"), Map.of())).containsExactly("c", "a", "b");
  }

  @Test
  void aNodeComesAfterEverythingItDependsOn() {
    Map<String, Set<String>> deps = Map.of(
        "payment", Set.of("order"),
        "order", Set.of("user", "product"));

    assertThat(sort(List.of("payment", "order", "product", "user"), deps))
        .containsExactly("product", "user", "order", "payment");
  }

  @Test
  void amongReadyNodesTheOneListedFirstGoesNext() {
    // c waits for a; b is ready first, then a, then c
    assertThat(sort(List.of("c", "b", "a"), Map.of("c", Set.of("a")))).containsExactly("b", "a", "c");
    // same graph, other input order: the tie-break follows the input
    assertThat(sort(List.of("a", "c", "b"), Map.of("c", Set.of("a")))).containsExactly("a", "c", "b");
  }

  @Test
  void theResultIsDeterministic() {
    Map<String, Set<String>> deps = Map.of("d", Set.of("a", "b", "c"), "b", Set.of("a"));
    List<String> nodes = List.of("d", "c", "b", "a");

    List<String> first = sort(nodes, deps);

    assertThat(first).containsExactly("c", "a", "b", "d");
    for (int i = 0; i < 20; i++) {
      assertThat(sort(nodes, deps)).isEqualTo(first);
    }
  }

  @Test
  void dependenciesOutsideTheNodeSetAreIgnored() {
    assertThat(sort(List.of("order", "payment"), Map.of("order", Set.of("user"), "payment", Set.of("order"))))
        .containsExactly("order", "payment");
  }

  @Test
  void duplicateNodesAppearOnce() {
    assertThat(sort(List.of("a", "b", "a"), Map.of("a", Set.of("b")))).containsExactly("b", "a");
  }

  @Test
  void aTwoNodeCycleIsDetectedAndNamed() {
    assertThatThrownBy(() -> sort(List.of("a", "b"), Map.of("a", Set.of("b"), "b", Set.of("a"))))
        .isInstanceOfSatisfying(TopologicalSort.CycleException.class,
            e -> assertThat(e.cycle()).isEqualTo(List.of("a", "b", "a")))
        .hasMessageContaining("dependency cycle")
        .hasMessageContaining("[a, b, a]");
  }

  @Test
  void theCycleNamedExcludesNodesThatMerelyDependOnIt() {
    Map<String, Set<String>> deps = Map.of(
        "x", Set.of("a"),
        "a", Set.of("b"),
        "b", Set.of("c"),
        "c", Set.of("a"));

    assertThatThrownBy(() -> sort(List.of("ok", "x", "a", "b", "c"), deps))
        .isInstanceOfSatisfying(TopologicalSort.CycleException.class,
            e -> assertThat(e.cycle()).isEqualTo(List.of("a", "b", "c", "a")));
  }

  @Test
  void aSelfDependencyIsNoCycle() {
    // a row may reference itself: it exists by the time its own reference is checked
    assertThat(sort(List.of("self", "ok"), Map.of("self", Set.of("self")))).containsExactly("self", "ok");
  }

  @Test
  void aSelfDependencyInsideACycleStillReportsTheCycle() {
    assertThatThrownBy(() -> sort(List.of("a", "b"), Map.of("a", Set.of("a", "b"), "b", Set.of("a"))))
        .isInstanceOfSatisfying(TopologicalSort.CycleException.class,
            e -> assertThat(e.cycle()).isEqualTo(List.of("a", "b", "a")));
  }

  @Test
  void worksForAnyNodeType() {
    List<Integer> sorted = TopologicalSort.sort(List.of(3, 2, 1), n -> n > 1 ? Set.of(n - 1) : Set.of());

    assertThat(sorted).containsExactly(1, 2, 3);
  }
}
