package io.uowservice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.testsupport.ServiceHarness;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Slow and anonymous clients hold nothing: the token is checked before the body, a request must arrive in time")
class SlowRequestsTest {

  private static ServiceHarness service;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    service = ServiceHarness.start(vertx, Map.of("UOW_SECURITY__ENABLED", "true",
        "UOW_SECURITY__JWT_SECRET", AuthTest.SECRET, "UOW_HTTP__READ_TIMEOUT", "2s"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  /** Sends {@code head} (and no more) on a raw connection; what came back until the server closed it. */
  private static String sendAndRead(String head, long waitMillis) {
    return ServiceHarness.await(vertx.createNetClient().connect(service.config().http().port(), "127.0.0.1")
        .compose(socket -> {
          Promise<String> read = Promise.promise();
          StringBuilder text = new StringBuilder();
          socket.handler(b -> text.append(b.toString()));
          socket.closeHandler(v -> read.tryComplete(text.toString()));
          vertx.setTimer(waitMillis, t -> read.tryComplete(text + "<still open>"));
          return socket.write(head).compose(v -> read.future());
        }));
  }

  @Test
  void anAnonymousBodyIsRefusedBeforeItIsReadAndTheConnectionClosed() {
    long started = System.nanoTime();
    String answer = sendAndRead("POST /api/v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4000000\r\n\r\n{\"operations\":[", 10_000);

    assertThat(answer).startsWith("HTTP/1.1 401").contains("application/problem+json").doesNotContain("<still open>");
    assertThat((System.nanoTime() - started) / 1_000_000).as("answered without waiting for the 4 MB").isLessThan(1_900);
  }

  @Test
  void aRequestWhoseBodyNeverFinishesGets408AndItsConnectionClosed() {
    String token = AuthTest.token("alice", "writer");
    String answer = sendAndRead("POST /api/v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nContent-Length: 100\r\n\r\n{\"operations\":", 15_000);

    assertThat(answer).startsWith("HTTP/1.1 408").contains("request-timeout").doesNotContain("<still open>");
  }
}
