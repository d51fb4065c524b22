package io.uowservice.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The contract's roles. They nest: an admin may do what a writer may, a writer what a reader may
 * (a client that writes a unit must be able to read it back).
 */
public enum Role {
  READER, WRITER, ADMIN;

  public String claim() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean grants(Role needed) {
    return ordinal() >= needed.ordinal();
  }

  public static boolean anyGrants(Set<Role> held, Role needed) {
    return held.stream().anyMatch(r -> r.grants(needed));
  }

  public static Set<Role> all() {
    return EnumSet.allOf(Role.class);
  }

  /** Unknown role names are ignored: a token may carry roles of other services. */
  public static Set<Role> fromClaims(Iterable<?> claims) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object claim : claims) {
      for (Role r : values()) {
        if (r.claim().equals(claim)) {
          roles.add(r);
        }
      }
    }
    return roles;
  }
}
