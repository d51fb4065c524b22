package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigException;
import io.uowservice.config.ConfigLoader;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Live updates: the queue bound setting and the ?types= filter")
class LiveUpdatesSettingsTest {

  @Test
  void theQueueBoundDefaultsTo16MiBAndCanBeOverridden(Vertx vertx) {
    AppConfig defaults = ServiceHarness.await(ConfigLoader.load(vertx, null, Map.of()));
    AppConfig small = ServiceHarness.await(ConfigLoader.load(vertx, null,
        Map.of("UOW_LIVE_UPDATES__MAX_QUEUED_BYTES", "65536")));

    assertThat(defaults.liveUpdates().maxQueuedBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(small.liveUpdates().maxQueuedBytes()).isEqualTo(65_536);
  }

  @Test
  void aQueueBoundTooSmallToHoldAFrameIsABadConfig(Vertx vertx) {
    assertThatThrownBy(() -> ServiceHarness.await(ConfigLoader.load(vertx, null,
        Map.of("UOW_LIVE_UPDATES__MAX_QUEUED_BYTES", "100"))))
        .rootCause().isInstanceOf(ConfigException.class).hasMessageContaining("live_updates.max_queued_bytes");
  }

  @Test
  void typesAreCommaSeparatedEventTypes() {
    assertThat(LiveUpdates.types(List.of())).as("no filter").isNull();
    assertThat(LiveUpdates.types(List.of("entity.created, entity.deleted,")))
        .containsExactlyInAnyOrder("entity.created", "entity.deleted");
    assertThat(LiveUpdates.types(List.of("entity.created", "unit_of_work.committed")))
        .as("the parameter repeated").containsExactlyInAnyOrder("entity.created", "unit_of_work.committed");
  }

  @Test
  void anUnknownOrEmptyTypesFilterIsRefused() {
    assertThatThrownBy(() -> LiveUpdates.types(List.of("entity.created,Entity.Updated")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Entity.Updated")
        .hasMessageContaining("known: entity.created, entity.deleted, entity.updated, unit_of_work.committed, "
            + "unit_of_work.rolled_back");
    assertThatThrownBy(() -> LiveUpdates.types(List.of(" , ")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
  }
}
