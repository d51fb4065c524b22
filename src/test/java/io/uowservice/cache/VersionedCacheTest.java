package io.uowservice.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uowservice.cache.VersionedCache.Entry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The cache core never hands out a version older than one a commit wrote")
class VersionedCacheTest {

  private final AtomicLong now = new AtomicLong();

  private VersionedCache cache(int maxEntries, int rememberedWrites) {
    return new VersionedCache(maxEntries, 1_000, rememberedWrites, now::get);
  }

  private static Entry v(long version) {
    return new Entry(version, "{\"version\":" + version + "}");
  }

  @Test
  void aMissIsFilledThenHit() {
    VersionedCache cache = cache(10, 10);
    assertThat(cache.get("p")).isEmpty();
    assertThat(cache.fill("p", v(3), cache.beginRead())).isTrue();
    assertThat(cache.get("p")).contains(v(3));
  }

  @Test
  void aReaderThatLoadedVersion3CannotOverwriteThe4ACommitJustWrote() {
    VersionedCache cache = cache(10, 10);
    long began = cache.beginRead(); // the reader loads 3 from the database ...
    cache.written("p", v(4));       // ... while a commit writes 4
    assertThat(cache.fill("p", v(3), began)).isFalse();
    assertThat(cache.get("p")).contains(v(4));
    assertThat(cache.fillsRefused()).isEqualTo(1);
  }

  @Test
  void theStaleFillIsRefusedEvenWhenTheCommittedEntryWasEvictedMeanwhile() {
    VersionedCache cache = cache(1, 10);
    long began = cache.beginRead();
    cache.written("p", v(4));
    cache.fill("other", v(1), cache.beginRead()); // evicts p's 4: the size bound is 1
    assertThat(cache.get("p")).isEmpty();

    assertThat(cache.fill("p", v(3), began)).as("3 would be served after 4 was committed").isFalse();
    assertThat(cache.get("p")).isEmpty();
  }

  @Test
  void aReadOlderThanTheWritesForgottenIsRefusedForEveryKey() {
    VersionedCache cache = cache(10, 2);
    long began = cache.beginRead();
    cache.written("a", v(2));
    cache.written("b", v(2));
    cache.written("c", v(2)); // a's write is forgotten now: it may have been p's for all we know

    assertThat(cache.fill("p", v(1), began)).isFalse();
    assertThat(cache.fill("p", v(1), cache.beginRead())).as("a read begun after them is fine").isTrue();
  }

  @Test
  void aTombstoneKeepsADeletedEntityFromComingBack() {
    VersionedCache cache = cache(10, 10);
    long began = cache.beginRead();
    cache.written("p", new Entry(4, null)); // deleted at version 3 → tombstone 4
    assertThat(cache.get("p")).hasValueSatisfying(e -> assertThat(e.deleted()).isTrue());
    assertThat(cache.fill("p", v(3), began)).isFalse();
    assertThat(cache.fill("p", v(3), cache.beginRead())).as("an older version never replaces a tombstone").isFalse();
  }

  @Test
  void aCommitNeverReplacesANewerVersionWithAnOlderOne() {
    VersionedCache cache = cache(10, 10);
    cache.written("p", v(5));
    cache.written("p", v(4)); // a late, older write
    assertThat(cache.get("p")).contains(v(5));
  }

  @Test
  void entriesPastTheTtlAreNotServedAndTheSizeIsBounded() {
    VersionedCache cache = cache(3, 10);
    cache.fill("p", v(1), cache.beginRead());
    now.addAndGet(1_001);
    assertThat(cache.get("p")).isEmpty();
    for (int i = 0; i < 100; i++) {
      cache.fill("k" + i, v(1), cache.beginRead());
    }
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("k99")).contains(v(1));
    assertThat(cache.get("k0")).isEmpty();
  }

  @Test
  void readersAndWritersAtOnceNeverSeeAVersionOlderThanOneAcknowledged() throws Exception {
    // eviction on every other fill and a tiny write memory: the paths that let stale fills in elsewhere
    VersionedCache cache = cache(1, 2);
    AtomicLong database = new AtomicLong(1);
    AtomicLong acknowledged = new AtomicLong(1);
    AtomicLong violations = new AtomicLong();
    Thread writer = new Thread(() -> {
      for (int i = 0; i < 20_000; i++) {
        long committed = database.incrementAndGet(); // the transaction commits ...
        cache.written("p", v(committed));            // ... the cache is written before the 200 leaves
        acknowledged.set(committed);
      }
    });
    Runnable reader = () -> {
      for (int i = 0; i < 20_000; i++) {
        long began = cache.beginRead();
        cache.fill("p", v(database.get()), began);
        cache.fill("other-" + (i % 3), v(1), cache.beginRead());
        long ack = acknowledged.get();
        cache.get("p").ifPresent(e -> {
          if (e.version() < ack) {
            violations.incrementAndGet();
          }
        });
      }
    };
    Thread[] readers = {new Thread(reader), new Thread(reader), new Thread(reader)};
    writer.start();
    for (Thread t : readers) {
      t.start();
    }
    writer.join();
    for (Thread t : readers) {
      t.join();
    }
    assertThat(violations.get()).isZero();
  }

  @Test
  void boundsMustBePositive() {
    assertThatThrownBy(() -> new VersionedCache(0, 1, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VersionedCache(1, 0, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VersionedCache(1, 1, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
  }
}
