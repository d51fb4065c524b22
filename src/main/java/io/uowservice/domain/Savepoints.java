package io.uowservice.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A unit's savepoints, oldest first; a name taken again replaces the earlier one (as in SQL). */
final class Savepoints {

  private final List<Savepoint> list = new ArrayList<>();
  private final int max;

  Savepoints(int max) {
    this.max = max;
  }

  /** Refuses a new name once the unit holds its limit of savepoints. */
  void requireRoomFor(String name) {
    boolean replaces = list.stream().anyMatch(s -> s.name().equals(name));
    if (!replaces && list.size() >= max) {
      throw new UowException.LimitExceeded("a unit of work holds at most " + max + " savepoints "
          + "(unit_of_work.max_savepoints); roll back to one, or reuse a name");
    }
  }

  Savepoint add(String name, Instant at, Map<String, Tracked> entries) {
    list.removeIf(s -> s.name().equals(name));
    Savepoint savepoint = new Savepoint(name, at, java.util.Collections.unmodifiableMap(entries));
    list.add(savepoint);
    return savepoint;
  }

  /** The savepoint {@code name}, the later ones dropped (each named to {@code dropped}); null when there is none. */
  Savepoint rollBackTo(String name, Consumer<String> dropped) {
    int index = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).name().equals(name)) {
        index = i;
      }
    }
    if (index < 0) {
      return null;
    }
    List<Savepoint> later = list.subList(index + 1, list.size());
    later.forEach(s -> dropped.accept(s.name()));
    later.clear();
    return list.get(index);
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<Savepoint> all() {
    return List.copyOf(list);
  }

  void clear() {
    list.clear();
  }
}
