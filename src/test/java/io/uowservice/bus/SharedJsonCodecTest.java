package io.uowservice.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Shared JSON codec: handed over as it is on the local bus, as JSON text between nodes")
class SharedJsonCodecTest {

  private final SharedJsonCodec codec = new SharedJsonCodec();

  @Test
  void aLocalMessageIsTheSendersObjectNotACopy() {
    JsonObject body = new JsonObject().put("operations", new JsonArray().add(new JsonObject().put("op", "new")));

    assertThat(codec.transform(body)).isSameAs(body);
  }

  @Test
  void overTheWireItArrivesEqualAfterWhateverPrecedesItInTheBuffer() {
    JsonObject body = new JsonObject().put("id", "é-1").put("n", 9007199254740993L)
        .put("nested", new JsonObject().put("list", new JsonArray().add(1.5).add((Object) null)));
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, body);

    assertThat(codec.decodeFromWire("header".length(), wire)).isEqualTo(body);
  }
}
