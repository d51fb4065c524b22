package io.uowservice.repository;

import io.uowservice.async.Futures;
import io.uowservice.domain.Entity;
import io.uowservice.domain.Money;
import io.uowservice.domain.Tracked;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Orders, with their items in {@code order_items} so each item's product is a real foreign key. */
public final class OrderTable extends TypedTable {

  private static final int ITEM_COLUMNS = 6;

  public OrderTable() {
    super("orders", List.of(
        new Column("user_id", Kind.STRING),
        new Column("amount", Kind.DECIMAL),
        new Column("currency", Kind.STRING),
        new Column("status", Kind.STRING)));
  }

  @Override
  protected void removeKeptElsewhere(Map<String, Object> extra) {
    extra.remove("items");
  }

  @Override
  protected Future<Void> afterInsert(SqlClient conn, List<Entity> orders) {
    return insertItems(conn, orders);
  }

  @Override
  protected Future<Void> afterUpdate(SqlClient conn, List<Tracked> rows) {
    List<Entity> orders = rows.stream().map(Tracked::entity).toList();
    return Pipeline.then(conn, () -> Pipeline.each(conn, Sql.chunks(orders, IDS_PER_QUERY), chunk -> {
      Tuple ids = Tuple.tuple();
      chunk.forEach(o -> ids.addValue(o.id()));
      return conn.preparedQuery("DELETE FROM order_items WHERE order_id IN ("
          + Sql.placeholders(chunk.size()) + ")").execute(ids).mapEmpty();
    }), () -> insertItems(conn, orders));
  }

  private Future<Void> insertItems(SqlClient conn, List<Entity> orders) {
    List<Object[]> items = new ArrayList<>();
    for (Entity order : orders) {
      if (!(order.attributes().get("items") instanceof List<?> list)) {
        continue;
      }
      for (int line = 0; line < list.size(); line++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> item = new LinkedHashMap<>((Map<String, Object>) list.get(line));
        Object productId = item.remove("product_id");
        Object quantity = item.remove("quantity");
        Object unitPrice = item.remove("unit_price");
        items.add(new Object[] {order.id(), line, productId, ((Number) quantity).longValue(),
            unitPrice == null ? null : new BigDecimal(unitPrice.toString()).toPlainString(), Sql.json(item)});
      }
    }
    return Pipeline.each(conn, Sql.chunks(items, ROWS_PER_INSERT, row -> Sql.bytes(java.util.Arrays.asList(row))), chunk -> {
      Tuple params = Tuple.tuple();
      chunk.forEach(row -> {
        for (Object v : row) {
          params.addValue(v);
        }
      });
      String sql = "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, extra) VALUES "
          + Sql.rowPlaceholders(chunk.size(), ITEM_COLUMNS);
      return conn.preparedQuery(sql).execute(params).mapEmpty();
    });
  }

  @Override
  protected Future<List<Entity>> decorate(SqlClient client, List<Entity> orders) {
    if (orders.isEmpty()) {
      return Future.succeededFuture(orders);
    }
    Map<String, List<Object>> itemsByOrder = new HashMap<>();
    return Futures.inOrder(Sql.chunks(orders, IDS_PER_QUERY), chunk -> {
      Tuple ids = Tuple.tuple();
      chunk.forEach(o -> ids.addValue(o.id()));
      String sql = "SELECT order_id, product_id, quantity, unit_price, extra FROM order_items WHERE order_id IN ("
          + Sql.placeholders(chunk.size()) + ") ORDER BY order_id, line_no";
      return client.preparedQuery(sql).execute(ids).onSuccess(rows -> {
        for (Row row : rows) {
          Map<String, Object> item = new LinkedHashMap<>();
          item.put("product_id", row.getString("product_id"));
          item.put("quantity", row.getInteger("quantity"));
          Object price = row.getValue("unit_price");
          if (price != null) {
            item.put("unit_price", Money.canonical(Sql.decimal(price)));
          }
          Sql.jsonMap(row, "extra").forEach(item::putIfAbsent);
          itemsByOrder.computeIfAbsent(row.getString("order_id"), k -> new ArrayList<>()).add(item);
        }
      });
    }).map(v -> {
      List<Entity> out = new ArrayList<>(orders.size());
      for (Entity order : orders) {
        Map<String, Object> attributes = new LinkedHashMap<>(order.attributes());
        attributes.put("items", itemsByOrder.getOrDefault(order.id(), List.of()));
        out.add(order.withAttributes(attributes));
      }
      return out;
    });
  }

}
