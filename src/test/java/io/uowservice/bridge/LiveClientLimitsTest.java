package io.uowservice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.http.UpgradeRejectedException;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Live updates: a bounded number of clients per subject and per node, /ws and SockJS alike")
class LiveClientLimitsTest {

  @RegisterExtension
  static final LiveService live = new LiveService(Map.of(
      "UOW_LIVE_UPDATES__MAX_CLIENTS", "3",
      "UOW_LIVE_UPDATES__MAX_CLIENTS_PER_SUBJECT", "2"));

  private static int refusal(String path) {
    Throwable failure = ServiceHarness.await(LiveClient.attempt(live.vertx(), live.service(), path)
        .map(ws -> (Throwable) null).otherwise(err -> err));
    assertThat(failure).as("the upgrade of " + path + " is refused").isInstanceOf(UpgradeRejectedException.class);
    return ((UpgradeRejectedException) failure).getStatus();
  }

  private static long sockJsClients() {
    return live.service().get("/api/v1/stats").json().getJsonObject("live_updates").getLong("sockjs_clients");
  }

  private static void awaitSockJsClients(long n) throws InterruptedException {
    for (int i = 0; i < 50 && sockJsClients() != n; i++) {
      Thread.sleep(100);
    }
    assertThat(sockJsClients()).isEqualTo(n);
  }

  @Test
  void aSubjectHoldsAtMostItsLimitOfLiveClientsOverWebSocketAndSockJsTogether() throws InterruptedException {
    try (LiveClient first = live.connect("/ws"); LiveClient second = live.connect("/ws")) {
      assertThat(refusal("/ws")).as("a third /ws client of the same subject").isEqualTo(429);
      LiveClient.sockJs(live.vertx(), live.service()).close(); // refused by the bridge: its subject is full
      Thread.sleep(200);
      assertThat(sockJsClients()).isZero();
    }
    Thread.sleep(200); // the server sees the closes
    try (LiveClient a = LiveClient.sockJs(live.vertx(), live.service());
        LiveClient b = LiveClient.sockJs(live.vertx(), live.service())) {
      awaitSockJsClients(2);
      assertThat(refusal("/ws")).as("SockJS sessions count against the subject too").isEqualTo(429);
    }
    Thread.sleep(200);
    try (LiveClient again = live.connect("/ws")) {
      assertThat(again).as("places are given back when clients leave").isNotNull();
    }
  }
}
