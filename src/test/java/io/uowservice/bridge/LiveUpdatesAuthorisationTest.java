package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.config.AppConfig;
import io.uowservice.config.ConfigLoader;
import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Live updates: the authorisation handler runs before every /ws upgrade and /eventbus request")
class LiveUpdatesAuthorisationTest {

  @Test
  void aRefusingAuthorisationHandlerStopsEveryLiveConnectionBeforeItsUpgrade(Vertx vertx) {
    AppConfig config = ServiceHarness.await(ConfigLoader.load(vertx, null, Map.of()));
    LiveUpdates live = ServiceHarness.await(LiveUpdates.start(vertx, config));
    Router router = Router.router(vertx);
    live.mount(router, ctx -> ctx.response().setStatusCode(401).end());
    HttpServer server = ServiceHarness.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient http = WebClient.create(vertx);
    WebSocketClient ws = vertx.createWebSocketClient();
    try {
      int port = server.actualPort();
      for (String path : new String[] {"/ws", "/eventbus/websocket", "/eventbus/000/abc/websocket"}) {
        Throwable refused = ServiceHarness.await(ws.connect(port, "127.0.0.1", path)
            .map(socket -> (Throwable) null).otherwise(err -> err));
        assertThat(refused).as(path).isInstanceOfSatisfying(UpgradeRejectedException.class,
            e -> assertThat(e.getStatus()).isEqualTo(401));
      }
      assertThat(ServiceHarness.await(http.get(port, "127.0.0.1", "/eventbus/info").send()).statusCode())
          .isEqualTo(401);
    } finally {
      http.close();
      ServiceHarness.await(ws.close());
      ServiceHarness.await(server.close());
    }
  }
}
