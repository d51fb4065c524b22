package io.uowservice.bridge;

import io.uowservice.testsupport.ServiceHarness;
import io.uowservice.testsupport.Units;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole service for one test class, with its own Vert.x: {@code @RegisterExtension static final
 * LiveService live = new LiveService();}.
 */
final class LiveService implements BeforeAllCallback, AfterAllCallback {

  private final Map<String, String> overrides;
  private Vertx vertx;
  private ServiceHarness service;
  private Units units;

  LiveService() {
    this(Map.of());
  }

  /** {@code overrides}: extra UOW_* environment variables. */
  LiveService(Map<String, String> overrides) {
    this.overrides = overrides;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    service = ServiceHarness.start(vertx, overrides);
    units = new Units(service);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      service.close();
    } finally {
      ServiceHarness.await(vertx.close());
    }
  }

  Vertx vertx() {
    return vertx;
  }

  ServiceHarness service() {
    return service;
  }

  Units units() {
    return units;
  }

  /** A client of {@code path} ("/ws?types=...", "/eventbus/websocket"). */
  LiveClient connect(String path) {
    return LiveClient.connect(vertx, service, path);
  }
}
