package io.uowservice.bus;

import io.uowservice.cluster.Departures;
import io.uowservice.cluster.Node;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link UnitService} over the bus. A unit's calls go straight to the actor its id names, on
 * whichever node that is ({@link UnitIds}); new units and keyless transactions spread over this
 * node's actors; a transaction's retries under one Idempotency-Key reach the same actor of a node,
 * whatever the channel (HTTP or Kafka), so its twin in flight is seen (on another node, the key's
 * row in the database settles it). The default unit of a subject: on a node of its own, the actor
 * its subject routes to keeps it; clustered, the {@link NodeDirectory} names it.
 *
 * <p>A call that finds no actor at its unit's address, or no answer in time, from a node that is no
 * member any more, is for a unit lost with its node: 410 (an id of a node never seen here: 404).
 */
final class UnitsOverBus implements UnitService {

  private final ServiceClient bus;
  private final Vertx vertx;
  private final NodeDirectory nodes;
  private final int shards;
  private final String self;

  UnitsOverBus(ServiceClient bus, Vertx vertx, NodeDirectory nodes, int shards) {
    this.bus = bus;
    this.vertx = vertx;
    this.nodes = nodes;
    this.shards = shards;
    this.self = Node.tag(vertx);
  }

  @Override
  public Future<JsonObject> create(String subject) {
    return bus.request(spread(subject), Wire.Units.CREATE, new JsonObject().put(Wire.SUBJECT, subject));
  }

  @Override
  public Future<JsonObject> openDefault(String subject) {
    return bus.request(spread(subject), Wire.Units.OPEN_DEFAULT, new JsonObject().put(Wire.SUBJECT, subject));
  }

  @Override
  public Future<JsonObject> stats() {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      each.add(bus.request(Addresses.unitShard(self, i), Wire.Units.STATS, new JsonObject()));
    }
    return Future.all(each).map(all -> {
      JsonObject total = new JsonObject();
      for (int i = 0; i < all.size(); i++) {
        sum(total, all.resultAt(i));
      }
      return total.put("shards", all.size());
    });
  }

  @Override
  public Future<Reply> transact(String subject, Object operations, Idempotency idempotency) {
    String routing = idempotency != null ? subject + "\n" + idempotency.key() : subject + ":" + System.nanoTime();
    JsonObject body = withKey(new JsonObject().put(Wire.SUBJECT, subject).put(Wire.OPERATIONS, operations),
        idempotency);
    return outcome(bus.exchange(localShard(routing), Wire.Units.TRANSACT, body));
  }

  @Override
  public Future<JsonObject> summary(UnitCall call) {
    return onUnit(call, Wire.Units.SUMMARY, new JsonObject());
  }

  @Override
  public Future<JsonObject> discard(UnitCall call) {
    return onUnit(call, Wire.Units.DISCARD, new JsonObject());
  }

  @Override
  public Future<JsonObject> register(UnitCall call, String state, JsonObject payload) {
    return onUnit(call, Wire.Units.REGISTER, new JsonObject().put(Wire.STATE, state).put(Wire.PAYLOAD, payload));
  }

  @Override
  public Future<JsonObject> entities(UnitCall call, String state) {
    return onUnit(call, Wire.Units.ENTITIES, new JsonObject().put(Wire.STATE, state));
  }

  @Override
  public Future<JsonObject> clear(UnitCall call) {
    return onUnit(call, Wire.Units.CLEAR, new JsonObject());
  }

  @Override
  public Future<Reply> commit(UnitCall call, Idempotency idempotency) {
    return onResolved(call, Use.COMMIT, unitId -> {
      JsonObject body = withKey(unitBody(call.subject(), unitId), idempotency);
      return outcome(bus.exchange(owner(unitId, call.subject()), Wire.Units.COMMIT, body));
    }).recover(err -> {
      if (!(err instanceof Lost lost)) {
        return Future.failedFuture(err);
      }
      if (idempotency == null) {
        return Future.failedFuture(lost.reported());
      }
      // the unit is gone, but its commit may have landed before its node went: the key tells, once
      // the lost node is fenced (a node only paused could otherwise still land it afterwards)
      return nodes.fence(lost.tag).transform(fenced -> fenced.succeeded()
          ? recordedCommit(new UnitCall(call.subject(), lost.unitId), idempotency)
          : Future.failedFuture(Lost.unknown(lost.unitId)));
    });
  }

  @Override
  public Future<Reply> recordedCommit(UnitCall call, Idempotency idempotency) {
    JsonObject body = withKey(unitBody(call.subject(), call.unitId()), idempotency);
    return bus.exchange(localShard(call.subject() + "\n" + idempotency.key()), Wire.Units.RECORDED_COMMIT, body)
        .map(m -> new Reply(m.body(), "true".equals(m.headers().get(Wire.REPLAYED))));
  }

  @Override
  public Future<JsonObject> rollback(UnitCall call, Object toSavepoint) {
    return onUnit(call, Wire.Units.ROLLBACK, new JsonObject().put(Wire.TO_SAVEPOINT, toSavepoint));
  }

  @Override
  public Future<JsonObject> savepoint(UnitCall call, Object name) {
    return onUnit(call, Wire.Units.SAVEPOINT, new JsonObject().put(Wire.NAME, name));
  }

  @Override
  public Future<JsonObject> savepoints(UnitCall call) {
    return onUnit(call, Wire.Units.SAVEPOINTS, new JsonObject());
  }

  private Future<JsonObject> onUnit(UnitCall call, String action, JsonObject body) {
    Use use = Wire.Units.REGISTER.equals(action) ? Use.REGISTER : Use.OTHER;
    return onResolved(call, use, unitId -> bus.request(owner(unitId, call.subject()), action,
        body.mergeIn(unitBody(call.subject(), unitId))))
        .recover(err -> Future.failedFuture(err instanceof Lost lost ? lost.reported() : err));
  }

  /** What a call does to its unit: a registration may start a subject's default unit afresh after a loss. */
  private enum Use { REGISTER, COMMIT, OTHER }

  /**
   * Runs {@code send} against the unit a call names: its id, or the subject's default unit. A
   * failure to reach it is read as a lost unit ({@link Lost}) when its node is gone. Clustered, a
   * default unit the directory names but its owner no longer has (it expired, or was discarded) is
   * replaced by a new one, as on a single node; one lost with its node stays named as lost, and
   * every call but a registration answers 410 — a retried commit never commits an empty unit.
   */
  private <T> Future<T> onResolved(UnitCall call, Use use, Function<String, Future<T>> send) {
    if (call.unitId() != null) {
      return reach(call.unitId(), use == Use.COMMIT, send);
    }
    if (!Node.isClustered(vertx)) {
      return send.apply(null); // the subject's actor on this node keeps its default unit
    }
    String subject = call.subject();
    return nodes.defaultUnit(subject).compose(current -> {
      if (current == null) {
        return openDefaultAnd(subject, use, send);
      }
      if (current.lost()) {
        return use == Use.REGISTER
            ? nodes.forgetDefault(subject, current.unitId()).compose(v -> openDefaultAnd(subject, use, send))
            : Future.failedFuture(new Lost(current.unitId(), false));
      }
      return reach(current.unitId(), use == Use.COMMIT, send).recover(err -> {
        if (isNotFound(err)) {
          return nodes.forgetDefault(subject, current.unitId()).compose(v -> openDefaultAnd(subject, use, send));
        }
        if (err instanceof Lost) {
          return nodes.markLost(subject, current.unitId()).transform(v -> Future.failedFuture(err));
        }
        return Future.failedFuture(err);
      });
    });
  }

  private static boolean isNotFound(Throwable err) {
    return err instanceof UowException.NotFound
        || err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
            && re.failureCode() == 404;
  }

  private <T> Future<T> openDefaultAnd(String subject, Use use, Function<String, Future<T>> send) {
    return openDefault(subject).compose(created -> {
      String mine = created.getString("id");
      return nodes.claimDefault(subject, mine).onFailure(err -> discard(subject, mine)).compose(winner -> {
        if (!winner.equals(mine)) {
          discard(subject, mine); // another node opened the subject's default unit at the same moment: theirs it is
        }
        return reach(winner, use == Use.COMMIT, send);
      });
    });
  }

  private void discard(String subject, String unitId) {
    bus.request(owner(unitId, subject), Wire.Units.DISCARD, unitBody(subject, unitId));
  }

  /**
   * Sends to the unit's owner. No actor at the address of a member: no such unit (404). Not
   * reached, from a node that is no member now: lost with it (410) — but a commit that was sent
   * and not answered may have landed before its node went, so that one stays unknown.
   */
  private <T> Future<T> reach(String unitId, boolean commit, Function<String, Future<T>> send) {
    Optional<UnitIds.Owner> owner = UnitIds.owner(unitId);
    if (owner.isEmpty() || owner.get().nodeTag().equals(self) && owner.get().shard() >= shards) {
      return Future.failedFuture(notFound(unitId));
    }
    String tag = owner.get().nodeTag();
    if (!Node.isMember(vertx, tag)) {
      return lostOrUnknown(unitId, tag, false); // not sent: nothing of this call happened anywhere
    }
    return untilItLeaves(tag, send.apply(unitId)).recover(err -> {
      boolean noActor = err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
      boolean noAnswer = err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
          || err instanceof UowException.OutcomeUnknown || err instanceof NodeLeft;
      if (!noActor && !noAnswer) {
        return Future.failedFuture(err);
      }
      if (Node.isMember(vertx, tag)) {
        return Future.failedFuture(noActor ? notFound(unitId) : err);
      }
      return lostOrUnknown(unitId, tag, commit && noAnswer);
    });
  }

  /**
   * A unit whose node is no member: lost with it ({@link Lost}) if that node ran here, else never
   * minted (404). {@code mayHaveCommitted}: its commit was sent and not answered, so it may have landed.
   */
  private <T> Future<T> lostOrUnknown(String unitId, String tag, boolean mayHaveCommitted) {
    return nodes.known(tag).transform(known -> {
      if (known.failed()) {
        return Future.failedFuture(new UowException.Unavailable("unit of work " + unitId + " is not on a node of the "
            + "cluster, and the database that tells a lost unit from an unknown one does not answer; retry later"));
      }
      return Future.failedFuture(known.result() ? new Lost(unitId, mayHaveCommitted) : notFound(unitId));
    });
  }

  /** A unit lost with its node: what the client is told, unless its commit's key tells more. */
  private static final class Lost extends RuntimeException {
    private final String unitId;
    private final String tag;
    private final boolean mayHaveCommitted;

    Lost(String unitId, boolean mayHaveCommitted) {
      super("unit of work " + unitId + " lost with its node", null, false, false);
      this.unitId = unitId;
      this.tag = UnitIds.owner(unitId).map(UnitIds.Owner::nodeTag).orElse("");
      this.mayHaveCommitted = mayHaveCommitted;
    }

    UowException reported() {
      return mayHaveCommitted ? unknown(unitId) : new UowException.Gone("unit of work " + unitId + " was lost with "
          + "its node (the node that held it left the cluster or stopped): its uncommitted changes are gone; "
          + "start a new unit");
    }

    static UowException unknown(String unitId) {
      return new UowException.OutcomeUnknown("the node that held unit of work " + unitId + " was lost while it "
          + "committed: the commit may or may not have landed; retry with the same Idempotency-Key on any node "
          + "to learn which, or read the entities");
    }
  }

  /** The answer of a call to node {@code tag}, or a {@link NodeLeft} failure as soon as that node leaves the cluster. */
  private <T> Future<T> untilItLeaves(String tag, Future<T> answer) {
    if (tag.equals(self) || !Node.isClustered(vertx)) {
      return answer;
    }
    Departures.Watch watch = Departures.of(vertx).watch(tag);
    Promise<T> outcome = Promise.promise();
    answer.onComplete(ar -> {
      watch.cancel();
      if (ar.succeeded()) {
        outcome.tryComplete(ar.result());
      } else {
        outcome.tryFail(ar.cause());
      }
    });
    watch.left().onSuccess(v -> outcome.tryFail(new NodeLeft()));
    return outcome.future();
  }

  /** The node a call waited on left the cluster before it answered. */
  private static final class NodeLeft extends RuntimeException {
    NodeLeft() {
      super("the node left the cluster", null, false, false);
    }
  }

  private static UowException notFound(String unitId) {
    return new UowException.NotFound("unit of work " + unitId + " does not exist or has expired");
  }

  private static JsonObject unitBody(String subject, String unitId) {
    return new JsonObject().put(Wire.SUBJECT, subject).put(Wire.UNIT_ID, unitId);
  }

  /** The actor named by a unit id; for a default unit (null), the subject's actor on this node. */
  private String owner(String unitId, String subject) {
    if (unitId == null) {
      return localShard(subject);
    }
    UnitIds.Owner owner = UnitIds.owner(unitId).orElseThrow();
    return Addresses.unitShard(owner.nodeTag(), owner.shard());
  }

  private String spread(String subject) {
    return localShard(subject + ":" + System.nanoTime());
  }

  private String localShard(String routingKey) {
    return Addresses.unitShard(self, Addresses.shardOf(routingKey, shards));
  }

  private static JsonObject withKey(JsonObject body, Idempotency idempotency) {
    return idempotency == null ? body
        : body.put(Wire.IDEMPOTENCY_KEY, idempotency.key()).put(Wire.REQUEST_HASH, idempotency.requestHash());
  }

  private static Future<Reply> outcome(Future<Message<JsonObject>> reply) {
    return Replies.outcomeUnknownOnTimeout(reply)
        .map(m -> new Reply(m.body(), "true".equals(m.headers().get(Wire.REPLAYED))));
  }

  /** Adds numeric leaves of {@code add} into {@code into}, recursively. */
  private static void sum(JsonObject into, JsonObject add) {
    add.forEach(e -> {
      if (e.getValue() instanceof JsonObject nested) {
        JsonObject target = into.getJsonObject(e.getKey());
        if (target == null) {
          target = new JsonObject();
          into.put(e.getKey(), target);
        }
        sum(target, nested);
      } else if (e.getValue() instanceof Number n) {
        into.put(e.getKey(), into.getLong(e.getKey(), 0L) + n.longValue());
      }
    });
  }
}
