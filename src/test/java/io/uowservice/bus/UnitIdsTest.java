package io.uowservice.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Unit ids name their node and actor, and are still random UUIDs")
class UnitIdsTest {

  @Test
  void aMintedIdNamesItsNodeAndShardAndIsAVersion4Uuid() {
    String id = UnitIds.mint("0a1b2c3d", 7);

    assertThat(UnitIds.owner(id)).contains(new UnitIds.Owner("0a1b2c3d", 7));
    UUID uuid = UUID.fromString(id);
    assertThat(uuid.version()).isEqualTo(4);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(id).startsWith("0a1b2c3d-0007-");
  }

  @Test
  void idsOfOneActorDifferInTheirRandomPart() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(UnitIds.mint("ffffffff", 65_535));
    }
    assertThat(ids).hasSize(10_000);
    assertThat(UnitIds.owner(ids.iterator().next())).contains(new UnitIds.Owner("ffffffff", 65_535));
  }

  @Test
  void anythingElseNamesNoOwner() {
    assertThat(UnitIds.owner(null)).isEmpty();
    assertThat(UnitIds.owner("")).isEmpty();
    assertThat(UnitIds.owner("not-a-unit")).isEmpty();
    assertThat(UnitIds.owner("0A1B2C3D-0007-4abc-8def-0123456789ab")).as("upper case is not minted").isEmpty();
    assertThat(UnitIds.owner("0a1b2c3d-0007-1abc-8def-0123456789ab")).as("not version 4").isEmpty();
    assertThat(UnitIds.owner("0a1b2c3d-0007-4abc-8def-0123456789ab0")).as("37 chars").isEmpty();
    assertThat(UnitIds.owner("0a1b2c3d-0007-4abc-8def-0123456789a\u0661")).as("a non-ASCII digit").isEmpty();
  }

  @Test
  void mintingRefusesATagOrShardOutsideTheShape() {
    assertThatThrownBy(() -> UnitIds.mint("xyz", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitIds.mint("0a1b2c3d", 65_536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitIds.mint("0a1b2c3d", -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
