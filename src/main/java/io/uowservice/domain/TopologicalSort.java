package io.uowservice.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Kahn's algorithm with a stable tie-break: among the nodes whose dependencies are all placed, the
 * one listed first in the input goes next. Dependencies outside the node set are ignored, and so
 * are self-dependencies (a row may reference itself: it exists by the time the reference is checked).
 */
public final class TopologicalSort {

  /** The nodes can't be ordered; {@link #cycle()} lists one cycle, first node repeated at the end. */
  public static final class CycleException extends RuntimeException {
    private final List<?> cycle;

    CycleException(List<?> cycle) {
      super("dependency cycle: " + cycle, null, false, false);
      this.cycle = List.copyOf(cycle);
    }

    public List<?> cycle() {
      return cycle;
    }
  }

  private TopologicalSort() {
  }

  public static <T> List<T> sort(List<T> nodes, Function<T, ? extends Collection<T>> dependencies) {
    Set<T> all = new LinkedHashSet<>(nodes);
    Set<T> placed = new HashSet<>();
    List<T> order = new ArrayList<>(all.size());
    List<T> remaining = new ArrayList<>(all);
    while (!remaining.isEmpty()) {
      T next = null;
      for (T candidate : remaining) {
        boolean ready = true;
        for (T dep : dependencies.apply(candidate)) {
          if (all.contains(dep) && !placed.contains(dep) && !dep.equals(candidate)) {
            ready = false;
            break;
          }
        }
        if (ready) {
          next = candidate;
          break;
        }
      }
      if (next == null) {
        throw new CycleException(findCycle(remaining, all, dependencies));
      }
      remaining.remove(next);
      placed.add(next);
      order.add(next);
    }
    return order;
  }

  private static <T> List<T> findCycle(List<T> remaining, Set<T> all, Function<T, ? extends Collection<T>> deps) {
    Set<T> stuck = new HashSet<>(remaining);
    // Every stuck node has a stuck dependency, so walking dependencies must revisit a node.
    List<T> path = new ArrayList<>();
    T current = remaining.get(0);
    while (!path.contains(current)) {
      path.add(current);
      T following = null;
      for (T dep : deps.apply(current)) {
        if (all.contains(dep) && stuck.contains(dep) && !dep.equals(current)) {
          following = dep;
          break;
        }
      }
      current = following;
    }
    List<T> cycle = new ArrayList<>(path.subList(path.indexOf(current), path.size()));
    cycle.add(current);
    return cycle;
  }
}
