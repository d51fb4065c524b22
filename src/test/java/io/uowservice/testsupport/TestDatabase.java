package io.uowservice.testsupport;

import io.vertx.mysqlclient.MySQLConnectOptions;

/**
 * A fresh, uniquely named database on a {@link TestDatabases.Server}, made by {@link
 * TestDatabases#createDatabase()}. {@link #close()} drops it.
 */
public record TestDatabase(TestDatabases.Server server, String name) implements AutoCloseable {

  /** Connect options for this database (a new, mutable object at each call). */
  public MySQLConnectOptions connectOptions() {
    return server.connectOptions().setDatabase(name);
  }

  /** Drops the database (blocking); never throws. */
  @Override
  public void close() {
    TestDatabases.dropDatabase(this);
  }
}
