package io.uowservice.bus;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A unit id names its owner: {@code TTTTTTTT-SSSS-4xxx-yxxx-xxxxxxxxxxxx} is a version-4 UUID whose
 * first group is the tag of the node that created the unit and whose second is the actor (shard)
 * on that node. Any node routes a call from the id alone — no lookup — and the 74 random bits left
 * keep ids unguessable (a unit also answers only its own subject).
 */
public final class UnitIds {

  /** Where a unit lives: the node's tag and the actor's number on that node. */
  public record Owner(String nodeTag, int shard) {
  }

  private static final Pattern SHAPE =
      Pattern.compile("([0-9a-f]{8})-([0-9a-f]{4})-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private UnitIds() {
  }

  /** A fresh id for a unit of actor {@code shard} (0-65535) on node {@code nodeTag}. */
  public static String mint(String nodeTag, int shard) {
    if (!nodeTag.matches("[0-9a-f]{8}") || shard < 0 || shard > 0xFFFF) {
      throw new IllegalArgumentException("node tag " + nodeTag + ", shard " + shard);
    }
    String random = UUID.randomUUID().toString();
    return nodeTag + "-" + String.format("%04x", shard) + random.substring(13);
  }

  /** The owner an id names; empty for anything this service never minted the shape of (a 404). */
  public static Optional<Owner> owner(String unitId) {
    if (unitId == null || unitId.length() != 36) {
      return Optional.empty();
    }
    Matcher m = SHAPE.matcher(unitId);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Owner(m.group(1), Integer.parseInt(m.group(2), 16)));
  }
}
