package io.uowservice.repository;

import io.uowservice.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** The one MySQL pool of a process, shared by name between the verticles that use it. */
public final class Database {

  public static final String POOL_NAME = "uow-mysql";

  private Database() {
  }

  public static MySQLConnectOptions connectOptions(AppConfig.Mysql mysql) {
    return new MySQLConnectOptions()
        .setHost(mysql.host())
        .setPort(mysql.port())
        .setDatabase(mysql.database())
        .setUser(mysql.username())
        .setPassword(mysql.password())
        .setCharset("utf8mb4")
        .setCollation("utf8mb4_bin")
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(512)
        // several statements of one commit in flight on its connection
        .setPipeliningLimit(256)
        // matched rows, not changed rows: a no-op UPDATE ... WHERE version = ? still counts 1
        .setUseAffectedRows(false);
  }

  /** Created from a verticle, the pool is bound to it; with the shared name every verticle gets the same one. */
  public static Pool pool(Vertx vertx, AppConfig.Mysql mysql) {
    PoolOptions options = new PoolOptions()
        .setMaxSize(mysql.poolSize())
        .setShared(true)
        .setName(POOL_NAME)
        .setMaxWaitQueueSize(10_000)
        // how long a request may wait for a connection (the database unreachable or the pool exhausted)
        .setConnectionTimeout((int) mysql.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    return MySQLBuilder.pool().with(options).connectingTo(connectOptions(mysql)).using(vertx).build();
  }
}
