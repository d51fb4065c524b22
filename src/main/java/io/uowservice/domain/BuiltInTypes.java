package io.uowservice.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The five types every deployment knows, with the attribute rules of the API contract. */
public final class BuiltInTypes {

  public static final String USER = "user";
  public static final String PRODUCT = "product";
  public static final String ORDER = "order";
  public static final String PAYMENT = "payment";
  public static final String CUSTOM = "custom";

  /** The contract's reference order: writes go in this order, deletes in reverse. */
  public static final List<String> REFERENCE_ORDER = List.of(USER, PRODUCT, ORDER, PAYMENT, CUSTOM);

  private BuiltInTypes() {
  }

  public static List<EntityType> all() {
    return List.of(
        new EntityType(USER, true, "Users", "Customers, merchants and administrators", Set.of(), BuiltInTypes::user, null),
        new EntityType(PRODUCT, true, "Products", "Sellable items with a unique SKU", Set.of(), BuiltInTypes::product, null),
        new EntityType(ORDER, true, "Orders", "Orders placed by users", Set.of(USER, PRODUCT), new OrderRules(), null),
        new EntityType(PAYMENT, true, "Payments", "Payments for orders", Set.of(ORDER), new PaymentRules(), null),
        new EntityType(CUSTOM, true, "Custom entities", "Free-form JSON attributes", Set.of(), AttributeRules.ANY, null));
  }

  private static Map<String, Object> user(Map<String, Object> in, List<FieldError> errors) {
    Map<String, Object> a = new LinkedHashMap<>(in);
    Attributes.email(a, "email", "", errors);
    Attributes.oneOf(a, "role", "", Set.of("customer", "merchant", "admin"), "customer", errors);
    Attributes.oneOf(a, "status", "", Set.of("active", "suspended", "closed"), "active", errors);
    return a;
  }

  private static Map<String, Object> product(Map<String, Object> in, List<FieldError> errors) {
    Map<String, Object> a = new LinkedHashMap<>(in);
    Attributes.required(a, "sku", "", errors);
    Attributes.string(a, "sku", "", 64, errors);
    Attributes.required(a, "price", "", errors);
    Attributes.money(a, "price", "", errors);
    Attributes.string(a, "category", "", 100, errors);
    if (a.get("stock") == null) {
      a.put("stock", 0);
    }
    Attributes.nonNegativeInt(a, "stock", "", errors);
    return a;
  }

  private static final class OrderRules implements AttributeRules {
    @Override
    public Map<String, Object> normalize(Map<String, Object> in, List<FieldError> errors) {
      Map<String, Object> a = new LinkedHashMap<>(in);
      Attributes.required(a, "user_id", "", errors);
      Attributes.entityId(a, "user_id", "", errors);
      Attributes.required(a, "amount", "", errors);
      Attributes.money(a, "amount", "", errors);
      Attributes.required(a, "currency", "", errors);
      Attributes.currency(a, "currency", "", errors);
      Attributes.oneOf(a, "status", "", Set.of("pending", "paid", "shipped", "cancelled"), "pending", errors);
      Object items = a.get("items");
      if (items == null) {
        a.put("items", List.of());
      } else if (!(items instanceof List<?> list)) {
        errors.add(new FieldError("attributes.items", "must be an array"));
      } else {
        List<Object> normalized = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
          String prefix = "attributes.items[" + i + "]";
          if (!(list.get(i) instanceof Map<?, ?> raw)) {
            errors.add(new FieldError(prefix, "must be an object"));
            continue;
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> item = new LinkedHashMap<>((Map<String, Object>) raw);
          Attributes.required(item, "product_id", prefix, errors);
          Attributes.entityId(item, "product_id", prefix, errors);
          Attributes.required(item, "quantity", prefix, errors);
          Attributes.integer(item, "quantity", prefix, errors, 1);
          Attributes.money(item, "unit_price", prefix, errors);
          normalized.add(item);
        }
        a.put("items", normalized);
      }
      return a;
    }

    @Override
    public List<Reference> references(Map<String, Object> a) {
      List<Reference> refs = new ArrayList<>();
      if (a.get("user_id") instanceof String userId) {
        refs.add(new Reference("attributes.user_id", USER, userId));
      }
      if (a.get("items") instanceof List<?> items) {
        for (int i = 0; i < items.size(); i++) {
          if (items.get(i) instanceof Map<?, ?> item && item.get("product_id") instanceof String productId) {
            refs.add(new Reference("attributes.items[" + i + "].product_id", PRODUCT, productId));
          }
        }
      }
      return refs;
    }
  }

  private static final class PaymentRules implements AttributeRules {
    @Override
    public Map<String, Object> normalize(Map<String, Object> in, List<FieldError> errors) {
      Map<String, Object> a = new LinkedHashMap<>(in);
      Attributes.required(a, "order_id", "", errors);
      Attributes.entityId(a, "order_id", "", errors);
      Attributes.required(a, "amount", "", errors);
      Attributes.money(a, "amount", "", errors);
      Attributes.required(a, "currency", "", errors);
      Attributes.currency(a, "currency", "", errors);
      Attributes.required(a, "method", "", errors);
      Attributes.oneOf(a, "method", "", Set.of("card", "bank_transfer", "wallet"), null, errors);
      Attributes.oneOf(a, "status", "", Set.of("pending", "authorized", "captured", "failed", "refunded"), "pending",
          errors);
      Attributes.string(a, "transaction_ref", "", 128, errors);
      return a;
    }

    @Override
    public List<Reference> references(Map<String, Object> a) {
      return a.get("order_id") instanceof String orderId
          ? List.of(new Reference("attributes.order_id", ORDER, orderId))
          : List.of();
    }
  }
}
