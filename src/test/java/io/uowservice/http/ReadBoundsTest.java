package io.uowservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.ServiceHarness.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Reads and connections are bounded: pages stop at a byte budget, connections at a count")
class ReadBoundsTest {

  private static ServiceHarness service;

  @BeforeAll
  static void start(Vertx vertx) {
    service = ServiceHarness.start(vertx, Map.of("UOW_HTTP__MAX_CONNECTIONS_PER_CLIENT", "6"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aPageOfLargeEntitiesStopsAtItsByteBudgetAndTheCursorGoesOn() {
    String type = "big_" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(service.post("/api/v1/repositories/", new JsonObject().put("entity_type", type).put("name", "Big"))
        .status()).isEqualTo(201);
    JsonArray chunks = new JsonArray();
    for (int i = 0; i < 25; i++) {
      chunks.add("x".repeat(60_000)); // 1.5 MB an entity
    }
    for (int i = 0; i < 8; i++) {
      assertThat(service.post("/api/v1/transactions", new JsonObject().put("operations", new JsonArray()
          .add(new JsonObject().put("op", "new").put("type", type).put("name", "e" + i)
              .put("attributes", new JsonObject().put("blob", chunks))))).status()).isEqualTo(200);
    }

    Response first = service.get("/api/v1/entities/" + type + "?limit=1000");
    assertThat(first.status()).isEqualTo(200);
    int firstPage = first.json().getJsonArray("items").size();
    assertThat(firstPage).as("cut short by bytes, not by the limit").isBetween(1, 7);
    Set<String> seen = new HashSet<>();
    first.json().getJsonArray("items").forEach(o -> seen.add(((JsonObject) o).getString("id")));
    String next = first.json().getString("next");
    while (next != null) {
      JsonObject page = service.get("/api/v1/entities/" + type + "?limit=1000&after=" + next).json();
      page.getJsonArray("items").forEach(o -> seen.add(((JsonObject) o).getString("id")));
      next = page.getString("next");
    }
    assertThat(seen).as("the cursor reaches every entity").hasSize(8);
  }

  @Test
  void pastItsLimitAClientsNewConnectionsAreClosedBeforeTheySendAnything() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        // from an address of its own: no other connection of this suite counts against its limit
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress("127.0.0.3", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", service.config().http().port()), 5_000);
        sockets.add(socket);
      }
      // a blocking read tells, with no handler registered late, which sockets the service closed:
      // -1 is its close, a time-out is a connection it holds. On a busy machine the closes take a while.
      int closedByTheService = 0;
      for (int attempt = 0; attempt < 25 && closedByTheService < 4; attempt++) {
        closedByTheService = (int) sockets.stream().filter(ReadBoundsTest::closedByPeer).count();
      }
      assertThat(10 - closedByTheService).as("silent connections held from one client").isLessThanOrEqualTo(6);
      assertThat(closedByTheService).isGreaterThanOrEqualTo(4);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  private static boolean closedByPeer(Socket socket) {
    try {
      socket.setSoTimeout(20);
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException heldOpen) {
      return false;
    } catch (IOException reset) {
      return true; // a reset is a close too
    }
  }
}
