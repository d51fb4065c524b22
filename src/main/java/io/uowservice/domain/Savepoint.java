package io.uowservice.domain;

import java.time.Instant;
import java.util.Map;

/** A named snapshot of a unit's sets; rolling back to it restores them exactly. */
public record Savepoint(String name, Instant createdAt, Map<String, Tracked> entries) {

  public Map<EntityState, Integer> counts() {
    return EntityState.countsOf(entries.values());
  }
}
