package io.uowservice.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The in-process read cache's core (no Vert.x types): entities by key with their version, bounded in
 * entries and age, that can never hand out an older version than a commit has written.
 *
 * <p>Two rules, both under one lock so that no step of a reader can fall between a writer's steps:
 * a fill never replaces a newer version or a tombstone (compare-and-set on the version); and a fill
 * is refused for a key written after the fill's read began — also when the entry that write put
 * here has been evicted since, which the first rule alone would miss. The writes are remembered by
 * sequence number in a bounded window; a read older than the oldest write forgotten is refused.
 * The TTL is a backstop for entries nobody writes, never what keeps reads fresh.
 */
public final class VersionedCache {

  /** A cached entity: its JSON at {@code version}, or a tombstone (deleted: {@code json} null) at that version. */
  public record Entry(long version, String json) {
    public boolean deleted() {
      return json == null;
    }
  }

  private record Held(Entry entry, long storedAtNanos) {
  }

  private final int maxEntries;
  private final long ttlNanos;
  private final int rememberedWrites;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Held> entries = new LinkedHashMap<>(16, 0.75f, true);
  /** key → sequence number of its last write, oldest first. */
  private final LinkedHashMap<String, Long> recentWrites = new LinkedHashMap<>();
  private long writes;
  private long forgottenUpTo;
  private long fillsRefused;

  /**
   * @param maxEntries       entries held at most (least recently used go first)
   * @param ttlNanos         an entry older than this is not served
   * @param rememberedWrites keys whose last write is remembered for refusing stale fills
   */
  public VersionedCache(int maxEntries, long ttlNanos, int rememberedWrites, LongSupplier nanoClock) {
    if (maxEntries < 1 || ttlNanos < 1 || rememberedWrites < 1) {
      throw new IllegalArgumentException("bounds must be positive");
    }
    this.maxEntries = maxEntries;
    this.ttlNanos = ttlNanos;
    this.rememberedWrites = rememberedWrites;
    this.nanoClock = nanoClock;
  }

  /** The entry for {@code key}, unless there is none or it has outlived the TTL. */
  public synchronized Optional<Entry> get(String key) {
    Held held = entries.get(key);
    if (held == null) {
      return Optional.empty();
    }
    if (nanoClock.getAsLong() - held.storedAtNanos() > ttlNanos) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(held.entry());
  }

  /** Taken before a read of the database; the read's fill carries it. */
  public synchronized long beginRead() {
    return writes;
  }

  /**
   * Offers what a read that began at {@code readBegan} loaded. Refused (false) when the key was
   * written since, when writes since may have been forgotten, or when a newer version is held.
   */
  public synchronized boolean fill(String key, Entry loaded, long readBegan) {
    Long lastWrite = recentWrites.get(key);
    boolean writtenSince = lastWrite != null && lastWrite > readBegan;
    Held held = entries.get(key);
    if (writtenSince || readBegan < forgottenUpTo || held != null && held.entry().version() > loaded.version()) {
      fillsRefused++;
      return false;
    }
    store(key, loaded);
    return true;
  }

  /** A commit wrote {@code committed} (a tombstone for a delete): held unless a newer version is. */
  public synchronized void written(String key, Entry committed) {
    writes++;
    recentWrites.remove(key);
    recentWrites.put(key, writes);
    if (recentWrites.size() > rememberedWrites) {
      Iterator<Map.Entry<String, Long>> oldest = recentWrites.entrySet().iterator();
      forgottenUpTo = Math.max(forgottenUpTo, oldest.next().getValue());
      oldest.remove();
    }
    Held held = entries.get(key);
    if (held == null || held.entry().version() <= committed.version()) {
      store(key, committed);
    }
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized long fillsRefused() {
    return fillsRefused;
  }

  private void store(String key, Entry entry) {
    entries.put(key, new Held(entry, nanoClock.getAsLong()));
    if (entries.size() > maxEntries) {
      Iterator<String> leastRecent = entries.keySet().iterator();
      leastRecent.next();
      leastRecent.remove();
    }
  }
}
