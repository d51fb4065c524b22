package io.uowservice.uow;

/** Counters of one actor (shard), touched on its event loop only; summed over shards by the stats endpoint. */
final class ShardStats {
  long created;
  long expired;
  long discarded;
  long commits;
  long failedCommits;
  long rollbacks;
  long conflicts;
  long transactions;
  long replays;
}
