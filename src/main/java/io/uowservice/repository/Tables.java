package io.uowservice.repository;

import io.uowservice.domain.BuiltInTypes;
import io.uowservice.domain.EntityType;
import java.util.List;
import java.util.Map;

/** Which table holds which type: one per built-in, the generic table for custom and runtime types. */
public final class Tables {

  private static final TypedTable USERS = new TypedTable("users", List.of(
      new TypedTable.Column("email", TypedTable.Kind.STRING, true),
      new TypedTable.Column("role", TypedTable.Kind.STRING, true),
      new TypedTable.Column("status", TypedTable.Kind.STRING, true)));
  private static final TypedTable PRODUCTS = new TypedTable("products", List.of(
      new TypedTable.Column("sku", TypedTable.Kind.STRING, true),
      new TypedTable.Column("price", TypedTable.Kind.DECIMAL),
      new TypedTable.Column("category", TypedTable.Kind.STRING, true),
      new TypedTable.Column("stock", TypedTable.Kind.INTEGER)));
  private static final OrderTable ORDERS = new OrderTable();
  private static final TypedTable PAYMENTS = new TypedTable("payments", List.of(
      new TypedTable.Column("order_id", TypedTable.Kind.STRING),
      new TypedTable.Column("amount", TypedTable.Kind.DECIMAL),
      new TypedTable.Column("currency", TypedTable.Kind.STRING),
      new TypedTable.Column("method", TypedTable.Kind.STRING),
      new TypedTable.Column("status", TypedTable.Kind.STRING),
      new TypedTable.Column("transaction_ref", TypedTable.Kind.STRING)));
  private static final CustomTable CUSTOM = new CustomTable();

  private static final Map<String, EntityTable> BUILT_IN = Map.of(
      BuiltInTypes.USER, USERS,
      BuiltInTypes.PRODUCT, PRODUCTS,
      BuiltInTypes.ORDER, ORDERS,
      BuiltInTypes.PAYMENT, PAYMENTS,
      BuiltInTypes.CUSTOM, CUSTOM);

  private Tables() {
  }

  public static EntityTable of(String type) {
    return BUILT_IN.getOrDefault(type, CUSTOM);
  }

  /** The repository verticle (and address) in charge of a type. */
  public static String repositoryOf(String type) {
    return BUILT_IN.containsKey(type) ? type : BuiltInTypes.CUSTOM;
  }

  /**
   * Whether rows of a built-in type reference other rows (an order its user and products, a payment its
   * order), and so must be written after what they reference; runtime types say so by their links.
   */
  public static boolean referencesOthers(String type) {
    return type.equals(BuiltInTypes.ORDER) || type.equals(BuiltInTypes.PAYMENT);
  }

  public static boolean isBuiltIn(String type) {
    return BUILT_IN.containsKey(type);
  }

  public static EntityTable of(EntityType type) {
    return of(type.name());
  }
}
