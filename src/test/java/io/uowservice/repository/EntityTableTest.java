package io.uowservice.repository;

import static io.uowservice.testsupport.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.Tracked;
import io.uowservice.testsupport.TestDatabase;
import io.uowservice.testsupport.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Repository SQL: version-checked writes count matched rows")
class EntityTableTest {

  private static TestDatabase database;
  private static Pool pool;
  private static final EntityTable PRODUCTS = Tables.of("product");

  @BeforeAll
  static void start(Vertx vertx) {
    database = TestDatabases.createDatabase();
    pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(database.connectOptions().setUseAffectedRows(false)).using(vertx).build();
    await(Migrations.migrate(pool));
  }

  @AfterAll
  static void stop() {
    await(pool.close());
    database.close();
  }

  private static Entity product(String id, int stock) {
    return new Entity(id, "product", "p " + id, null, Map.of(), true, 1, null, null,
        Map.of("sku", "sku-" + id, "price", "2.50", "stock", stock));
  }

  private static long version(String id) {
    return await(pool.query("SELECT version FROM products WHERE id = '" + id + "'").execute())
        .iterator().next().getLong(0);
  }

  @Test
  void anUpdateThatChangesNothingStillMatchesItsVersion() {
    Entity p = product("same", 3);
    await(PRODUCTS.insert(pool, List.of(p), Instant.now()));

    List<String> stale = await(PRODUCTS.update(pool, List.of(new Tracked(p, EntityState.DIRTY, 1, null)),
        Instant.now()));

    assertThat(stale).isEmpty();
    assertThat(version("same")).isEqualTo(2L);
  }

  @Test
  void anUpdateWithAStaleVersionIsReportedAndChangesNothing() {
    Entity p = product("stale", 3);
    await(PRODUCTS.insert(pool, List.of(p), Instant.now()));
    Entity changed = product("stale", 99);

    List<String> stale = await(PRODUCTS.update(pool, List.of(new Tracked(changed, EntityState.DIRTY, 7, null)),
        Instant.now()));

    assertThat(stale).containsExactly("stale");
    assertThat(version("stale")).isEqualTo(1L);
    assertThat(await(PRODUCTS.find(pool, "product", "stale")).orElseThrow().attributes().get("stock")).isEqualTo(3);
  }

  @Test
  void aDeleteWithAStaleVersionIsReportedAndKeepsTheRow() {
    Entity p = product("keep", 1);
    await(PRODUCTS.insert(pool, List.of(p), Instant.now()));

    assertThat(await(PRODUCTS.delete(pool, List.of(new Tracked(p, EntityState.DELETED, 2, null)))))
        .containsExactly("keep");
    assertThat(await(PRODUCTS.exists(pool, "product", "keep"))).isTrue();
    assertThat(await(PRODUCTS.delete(pool, List.of(new Tracked(p, EntityState.DELETED, 1, null))))).isEmpty();
    assertThat(await(PRODUCTS.exists(pool, "product", "keep"))).isFalse();
  }

  @Test
  void lockVersionsReportsStoredVersionsAndOmitsMissingRows() {
    await(PRODUCTS.insert(pool, List.of(product("v1", 1)), Instant.now()));

    Map<String, Long> versions = await(pool.withTransaction(conn ->
        PRODUCTS.lockVersions(conn, "product", List.of("v1", "ghost"))));

    assertThat(versions).containsExactly(Map.entry("v1", 1L));
  }

  @Test
  void moneyRoundTripsAsCanonicalDecimalStrings() {
    await(PRODUCTS.insert(pool, List.of(new Entity("money", "product", "m", null, Map.of(), true, 1, null, null,
        Map.of("sku", "sku-money", "price", "1234567890.1234", "stock", 0))), Instant.now()));

    Entity read = await(PRODUCTS.find(pool, "product", "money")).orElseThrow();

    assertThat(read.attributes().get("price")).isEqualTo("1234567890.1234");
    assertThat(await(pool.query("SELECT price FROM products WHERE id = 'money'").execute()).iterator().next()
        .getBigDecimal(0)).isEqualByComparingTo("1234567890.1234");
  }
}
