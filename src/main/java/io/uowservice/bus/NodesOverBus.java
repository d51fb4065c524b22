package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** {@link NodeDirectory} over the bus: the node registry of this node answers. */
final class NodesOverBus implements NodeDirectory {

  private final ServiceClient bus;

  NodesOverBus(ServiceClient bus) {
    this.bus = bus;
  }

  @Override
  public Future<Boolean> known(String nodeTag) {
    return bus.request(Addresses.NODES, Wire.Nodes.KNOWN, new JsonObject().put(Wire.TAG, nodeTag))
        .map(reply -> reply.getBoolean(Wire.KNOWN, false));
  }

  @Override
  public Future<DefaultUnit> defaultUnit(String subject) {
    return bus.request(Addresses.NODES, Wire.Nodes.DEFAULT_UNIT, new JsonObject().put(Wire.SUBJECT, subject))
        .map(reply -> reply.getString(Wire.UNIT_ID) == null ? null
            : new DefaultUnit(reply.getString(Wire.UNIT_ID), reply.getBoolean(Wire.LOST, false)));
  }

  @Override
  public Future<Void> markLost(String subject, String unitId) {
    return bus.request(Addresses.NODES, Wire.Nodes.MARK_LOST, new JsonObject().put(Wire.SUBJECT, subject)
        .put(Wire.UNIT_ID, unitId)).mapEmpty();
  }

  @Override
  public Future<Void> fence(String nodeTag) {
    return bus.request(Addresses.NODES, Wire.Nodes.FENCE, new JsonObject().put(Wire.TAG, nodeTag)).mapEmpty();
  }

  @Override
  public Future<String> claimDefault(String subject, String unitId) {
    return bus.request(Addresses.NODES, Wire.Nodes.CLAIM_DEFAULT, new JsonObject().put(Wire.SUBJECT, subject)
        .put(Wire.UNIT_ID, unitId)).map(reply -> reply.getString(Wire.UNIT_ID));
  }

  @Override
  public Future<Void> forgetDefault(String subject, String unitId) {
    return bus.request(Addresses.NODES, Wire.Nodes.FORGET_DEFAULT, new JsonObject().put(Wire.SUBJECT, subject)
        .put(Wire.UNIT_ID, unitId)).mapEmpty();
  }
}
