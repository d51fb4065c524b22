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

  /** The subject's default unit id, or null. */
  Future<String> defaultUnit(String subject);

  /** Makes {@code unitId} the subject's default unit unless it has one: completes with the one that is. */
  Future<String> claimDefault(String subject, String unitId);

  /** Drops the subject's default unit if it is still {@code unitId}. */
  Future<Void> forgetDefault(String subject, String unitId);
}
