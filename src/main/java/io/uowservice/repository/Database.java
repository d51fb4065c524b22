package io.uowservice.repository;

import io.uowservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one MySQL pool of a process, shared by name between the verticles that use it. */
public final class Database {

  public static final String POOL_NAME = "uow-mysql";
  public static final String COMMIT_POOL_NAME = "uow-mysql-commits";
  /** Limits read from the database server at start-up, handed to the verticles in their config. */
  public static final String SERVER_LIMITS = "server_limits";
  public static final String MAX_ENTITY_BYTES = "max_entity_bytes";
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

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
        // prepared statements count against the server's max_prepared_stmt_count (16,382 by default),
        // shared by every client of the server: two pools of 16 connections keeping 128 each is 4,096
        // per node; long texts (multi-row INSERTs of a bulk commit, rarely the same twice) are not kept
        .setPreparedStatementCacheMaxSize(128)
        .setPreparedStatementCacheSqlLimit(2048)
        // several statements of one commit in flight on its connection
        .setPipeliningLimit(256)
        // matched rows, not changed rows: a no-op UPDATE ... WHERE version = ? still counts 1
        .setUseAffectedRows(false);
  }

  /**
   * A connection that reads nothing for longer than any statement may run (a dead link, a database
   * that stopped answering) is closed, so its pending statement fails instead of waiting for TCP to
   * give up (minutes): a COMMIT in flight then reports an unknown outcome, anything earlier a rollback.
   */
  public static io.vertx.core.net.NetClientOptions networkOptions(AppConfig.Mysql mysql) {
    long seconds = mysql.statementTimeout().toSeconds() + mysql.lockWaitTimeout().toSeconds() + 10;
    return new io.vertx.core.net.NetClientOptions().setReadIdleTimeout((int) seconds)
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Created from a verticle, the pool is bound to it; with the shared name every verticle gets the same one. */
  public static Pool pool(Vertx vertx, AppConfig.Mysql mysql) {
    return pool(vertx, mysql, POOL_NAME);
  }

  /**
   * The connections commits run on, apart from the rest: each commit turns autocommit off on its
   * connection ({@link CommitExecutor}) and leaves it so. Readers, the relay and housekeeping must
   * never get such a session (their writes would never commit), hence a pool of its own.
   */
  public static Pool commitPool(Vertx vertx, AppConfig.Mysql mysql) {
    return pool(vertx, mysql, COMMIT_POOL_NAME);
  }

  private static Pool pool(Vertx vertx, AppConfig.Mysql mysql, String name) {
    PoolOptions options = new PoolOptions()
        .setMaxSize(mysql.poolSize())
        .setShared(true)
        .setName(name)
        .setMaxWaitQueueSize(10_000)
        // how long a request may wait for a connection (the database unreachable or the pool exhausted)
        .setConnectionTimeout((int) mysql.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    return MySQLBuilder.pool().with(options).with(networkOptions(mysql)).connectingTo(connectOptions(mysql)).using(vertx)
        .withConnectHandler(conn -> sessionSettings(conn, mysql).onComplete(ar -> {
          if (ar.failed()) {
            LOG.warn("could not apply session settings to a new database connection: {}", ar.cause().toString());
          }
          conn.close();
        }))
        .build();
  }

  /** Bytes one multi-row statement may carry (below the server's max_allowed_packet). */
  public static long statementBytes() {
    return Sql.statementBytes();
  }

  /**
   * Reads the server's max_allowed_packet so multi-row statements are split below it; completes
   * with the largest entity (its JSON, in bytes) a commit can still write in one statement.
   */
  public static Future<Long> useServerLimits(SqlClient client) {
    return client.query("SELECT @@max_allowed_packet").execute().map(rows -> {
      long packet = rows.iterator().next().getLong(0);
      long statement = Math.max(64 * 1024, packet - Math.max(packet / 4, 256 * 1024));
      Sql.statementBytes(statement);
      return statement - 64 * 1024;
    });
  }

  /**
   * Bounds on every statement of this session, so the database gives up before the service does
   * (a commit then knows its outcome), and READ COMMITTED: every check a commit makes is a locking
   * read, and without REPEATABLE READ's gap locks fewer commits deadlock on rows that do not exist.
   * {@code max_statement_time} is MariaDB's (seconds); MySQL's {@code max_execution_time} (ms)
   * covers SELECTs only.
   */
  static Future<Void> sessionSettings(SqlConnection conn, AppConfig.Mysql mysql) {
    long lockWait = Math.max(1, mysql.lockWaitTimeout().toSeconds());
    double statementSeconds = mysql.statementTimeout().toMillis() / 1000.0;
    return conn.query("SET SESSION innodb_lock_wait_timeout = " + lockWait).execute()
        .compose(v -> conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED").execute())
        .compose(v -> conn.query("SET SESSION max_statement_time = " + statementSeconds).execute()
            .recover(notMariaDb -> conn.query("SET SESSION max_execution_time = "
                + mysql.statementTimeout().toMillis()).execute()))
        .mapEmpty();
  }
}
