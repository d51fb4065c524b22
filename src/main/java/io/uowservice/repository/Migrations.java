package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: the ordered SQL files listed in {@code db/migration/index.txt},
 * applied once each and recorded with a checksum in {@code schema_migrations}. A MySQL named lock
 * keeps nodes that start together from migrating twice; an applied file that was edited since
 * stops the start-up.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final String DIR = "db/migration/";

  public record Migration(int version, String file, String sql, String checksum) {
  }

  private Migrations() {
  }

  public static List<Migration> available() {
    String index = resource(DIR + "index.txt");
    List<Migration> out = new ArrayList<>();
    for (String line : index.split("\n")) {
      String file = line.trim();
      if (file.isEmpty() || file.startsWith("#")) {
        continue;
      }
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      String sql = resource(DIR + file);
      out.add(new Migration(version, file, sql, sha256(sql)));
    }
    return out;
  }

  /** Applies what is missing; completes with the number of migrations applied. */
  public static Future<Integer> migrate(Pool pool) {
    List<Migration> migrations = available();
    return pool.withConnection(conn -> conn.query("SELECT GET_LOCK('uow_schema_migrations', 60)").execute()
        .compose(rs -> {
          Integer got = rs.iterator().next().getInteger(0);
          if (got == null || got != 1) {
            return Future.failedFuture(new IllegalStateException("could not take the schema migration lock in 60 s"));
          }
          return applyAll(conn, migrations)
              .eventually(() -> conn.query("SELECT RELEASE_LOCK('uow_schema_migrations')").execute());
        }));
  }

  private static Future<Integer> applyAll(SqlConnection conn, List<Migration> migrations) {
    return conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, "
            + "file VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL, applied_at DATETIME(6) NOT NULL) "
            + "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4").execute()
        .compose(v -> conn.query("SELECT version, checksum FROM schema_migrations").execute())
        .compose(rows -> {
          Map<Integer, String> applied = new TreeMap<>();
          for (Row row : rows) {
            applied.put(row.getInteger("version"), row.getString("checksum"));
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : migrations) {
            String checksum = applied.get(m.version());
            if (checksum != null) {
              if (!checksum.equals(m.checksum())) {
                return Future.failedFuture(new IllegalStateException("migration " + m.file()
                    + " was changed after it was applied; add a new migration instead"));
              }
              continue;
            }
            chain = chain.compose(count -> apply(conn, m).map(count + 1));
          }
          return chain;
        });
  }

  private static Future<Void> apply(SqlConnection conn, Migration m) {
    return Futures.inOrder(statements(m.sql()), statement -> conn.query(statement).execute())
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, file, checksum, applied_at) "
                + "VALUES (?, ?, ?, ?)")
            .execute(Tuple.of(m.version(), m.file(), m.checksum(), LocalDateTime.now(ZoneOffset.UTC))))
        .onSuccess(v -> LOG.info("applied schema migration {}", m.file()))
        .mapEmpty();
  }

  /** Our migration files hold plain statements ended by ';' at the end of a line; '--' lines are comments. */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        out.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }

  private static String resource(String path) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
