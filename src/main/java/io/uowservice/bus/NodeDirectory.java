package io.uowservice.bus;

import io.vertx.core.Future;

/**
 * What the nodes share about themselves, through the database: which node tags have run here (a
 * unit of a tag that is no member now was lost with its node: 410, where an id no node minted is
 * 404) and, in clustered mode, each subject's default unit, so that any node finds it.
 */
public interface NodeDirectory {

  /** Whether a node with this tag ran against the database recently enough that its units could still live. */
  Future<Boolean> known(String nodeTag);

  /** A subject's default unit; {@code lost}: its node is gone, and the unit with it. */
  record DefaultUnit(String unitId, boolean lost) {
  }

  /** The subject's default unit, or null. */
  Future<DefaultUnit> defaultUnit(String subject);

  /** Keeps the subject's default unit named, as lost with its node (every call but a registration: 410). */
  Future<Void> markLost(String subject, String unitId);

  /**
   * Fences node {@code nodeTag} (gone from the cluster): completes once its commits in flight have
   * ended; none of its commits lands after that. Fails when one of them does not end in time.
   */
  Future<Void> fence(String nodeTag);

  /** Makes {@code unitId} the subject's default unit unless it has one: completes with the one that is. */
  Future<String> claimDefault(String subject, String unitId);

  /** Drops the subject's default unit if it is still {@code unitId}. */
  Future<Void> forgetDefault(String subject, String unitId);
}
