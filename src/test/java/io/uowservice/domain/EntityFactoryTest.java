package io.uowservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EntityFactory: building new entities and applying changes, with each built-in type's rules")
class EntityFactoryTest {

  private static final TypeCatalog CATALOG = TypeCatalog.of(BuiltInTypes.REFERENCE_ORDER, List.of());
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private final EntityFactory factory = new EntityFactory(UnitLimits.DEFAULTS, "custom");

  /** A mutable map that, unlike Map.of, takes null values: {@code map("k", v, "k2", v2)}. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  Entity create(String type, Map<String, Object> attributes) {
    return factory.create(map("type", type, "name", "n", "attributes", attributes), CATALOG);
  }

  static Map<String, Object> product(Object... extra) {
    Map<String, Object> m = map("sku", "SKU-1", "price", "10.00");
    m.putAll(map(extra));
    return m;
  }

  static Map<String, Object> order(Object... extra) {
    Map<String, Object> m = map("user_id", "u-1", "amount", "25.00", "currency", "EUR");
    m.putAll(map(extra));
    return m;
  }

  static Map<String, Object> payment(Object... extra) {
    Map<String, Object> m = map("order_id", "o-1", "amount", "25.00", "currency", "EUR", "method", "card");
    m.putAll(map(extra));
    return m;
  }

  /** Asserts that {@code call} fails as Invalid with an error on each of {@code fields}. */
  static void assertInvalid(ThrowingCallable call, String... fields) {
    assertThatThrownBy(call).isInstanceOfSatisfying(UowException.Invalid.class,
        e -> assertThat(e.errors()).extracting(FieldError::field).contains(fields));
  }

  static void assertInvalid(ThrowingCallable call, String field, Consumer<String> message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(UowException.Invalid.class,
        e -> assertThat(e.errors()).filteredOn(err -> err.field().equals(field))
            .as("errors on %s in %s", field, e.errors())
            .singleElement().extracting(FieldError::message).satisfies(m -> message.accept((String) m)));
  }

  // --- common entity fields ---

  @Test
  void newEntityHasTheGivenFieldsVersionZeroAndIsActiveByDefault() {
    Entity e = factory.create(map("type", "custom", "id", "c-1", "name", "Widget", "description", "A widget",
        "metadata", map("source", "test"), "attributes", map("colour", "red", "nested", map("a", List.of(1, 2)))),
        CATALOG);

    assertThat(e.id()).isEqualTo("c-1");
    assertThat(e.type()).isEqualTo("custom");
    assertThat(e.name()).isEqualTo("Widget");
    assertThat(e.description()).isEqualTo("A widget");
    assertThat(e.metadata()).containsExactlyEntriesOf(Map.of("source", "test"));
    assertThat(e.attributes()).containsEntry("colour", "red").containsEntry("nested", Map.of("a", List.of(1, 2)));
    assertThat(e.active()).isTrue();
    assertThat(e.version()).isZero();
    assertThat(e.createdAt()).isNull();
    assertThat(e.updatedAt()).isNull();
  }

  @Test
  void activeCanBeFalseButMustBeABoolean() {
    assertThat(factory.create(map("name", "n", "active", false), CATALOG).active()).isFalse();
    assertInvalid(() -> factory.create(map("name", "n", "active", "yes"), CATALOG), "active");
  }

  @Test
  void defaultTypeIsUsedWhenTypeIsAbsent() {
    assertThat(factory.create(map("name", "n"), CATALOG).type()).isEqualTo("custom");

    EntityFactory usersByDefault = new EntityFactory(UnitLimits.DEFAULTS, "user");
    Entity e = usersByDefault.create(map("name", "n"), CATALOG);
    assertThat(e.type()).isEqualTo("user");
    assertThat(e.attributes()).as("user rules applied").containsEntry("role", "customer");
  }

  @Test
  void typeMustBeAStringNamingAKnownType() {
    assertInvalid(() -> factory.create(map("type", 7, "name", "n"), CATALOG), "type");
    assertThatThrownBy(() -> factory.create(map("type", "widget", "name", "n"), CATALOG))
        .isInstanceOf(UowException.Invalid.class).hasMessageContaining("widget");
    TypeCatalog usersOnly = TypeCatalog.of(List.of("user", "custom"), List.of());
    assertThatThrownBy(() -> factory.create(map("type", "order", "name", "n", "attributes", order()), usersOnly))
        .isInstanceOf(UowException.Invalid.class).hasMessageContaining("order");
  }

  @Test
  void idIsGeneratedWhenAbsent() {
    Entity a = factory.create(map("name", "n"), CATALOG);
    Entity b = factory.create(map("name", "n"), CATALOG);

    assertThat(a.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(Ids.isValid(a.id())).isTrue();
    assertThat(a.id()).isNotEqualTo(b.id());
  }

  @Test
  void clientIdsAreKeptWhenSafe() {
    assertThat(factory.create(map("name", "n", "id", "user:42@shop.example_1-a"), CATALOG).id())
        .isEqualTo("user:42@shop.example_1-a");
    assertThat(factory.create(map("name", "n", "id", "x".repeat(64)), CATALOG).id()).hasSize(64);
  }

  @Test
  void unsafeClientIdsAreInvalid() {
    for (Object bad : List.of("has space", "x".repeat(65), "-leading-dash", "", "a/b", 42)) {
      assertInvalid(() -> factory.create(map("name", "n", "id", bad), CATALOG), "id");
    }
  }

  @Test
  void nameIsRequired() {
    assertInvalid(() -> factory.create(map("type", "custom"), CATALOG), "name", m -> assertThat(m).contains("required"));
  }

  @Test
  void nameMustNotBeBlank() {
    assertInvalid(() -> factory.create(map("name", "   "), CATALOG), "name", m -> assertThat(m).contains("blank"));
  }

  @Test
  void nameMustBeAString() {
    assertInvalid(() -> factory.create(map("name", 42), CATALOG), "name", m -> assertThat(m).contains("string"));
  }

  @Test
  void nameMayBeAsLongAsTheLimitButNoLonger() {
    assertThat(factory.create(map("name", "n".repeat(100)), CATALOG).name()).hasSize(100);
    assertInvalid(() -> factory.create(map("name", "n".repeat(101)), CATALOG), "name",
        m -> assertThat(m).contains("100"));
  }

  @Test
  void nameLengthCountsCharactersNotUtf16Units() {
    String hundredEmoji = "\uD83D\uDE00".repeat(100);

    assertThat(factory.create(map("name", hundredEmoji), CATALOG).name()).isEqualTo(hundredEmoji);
  }

  @Test
  void limitsComeFromUnitLimits() {
    EntityFactory strict = new EntityFactory(new UnitLimits(10, 5, 8), "custom");

    assertThat(strict.create(map("name", "abcde", "description", "12345678"), CATALOG).name()).isEqualTo("abcde");
    assertInvalid(() -> strict.create(map("name", "abcdef"), CATALOG), "name", m -> assertThat(m).contains("5"));
    assertInvalid(() -> strict.create(map("name", "n", "description", "123456789"), CATALOG), "description");
  }

  @Test
  void descriptionIsOptionalButLimited() {
    assertThat(factory.create(map("name", "n"), CATALOG).description()).isNull();
    assertThat(factory.create(map("name", "n", "description", "d".repeat(500)), CATALOG).description()).hasSize(500);
    assertInvalid(() -> factory.create(map("name", "n", "description", "d".repeat(501)), CATALOG), "description",
        m -> assertThat(m).contains("500"));
  }

  @Test
  void metadataAndAttributesMustBeObjects() {
    assertInvalid(() -> factory.create(map("name", "n", "metadata", "x"), CATALOG), "metadata",
        m -> assertThat(m).contains("object"));
    assertInvalid(() -> factory.create(map("name", "n", "metadata", List.of(1)), CATALOG), "metadata");
    assertInvalid(() -> factory.create(map("name", "n", "attributes", List.of()), CATALOG), "attributes");
  }

  @Test
  void everyBrokenRuleIsReportedAtOnce() {
    assertThatThrownBy(() -> factory.create(map("type", "product", "id", "bad id", "metadata", 1), CATALOG))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> assertThat(e.errors()).extracting(FieldError::field)
            .contains("id", "name", "metadata", "attributes.sku", "attributes.price"))
        .hasMessageContaining("invalid product");
  }

  @Test
  void theInputMapsAreNotModified() {
    Map<String, Object> attributes = product("price", "25");
    Map<String, Object> body = map("type", "product", "name", "n", "attributes", attributes);

    factory.create(body, CATALOG);

    assertThat(attributes).containsEntry("price", "25").doesNotContainKey("stock");
  }

  // --- user ---

  @Test
  void userDefaultsRoleToCustomerAndStatusToActive() {
    Entity u = create("user", map("email", "ann@example.com"));

    assertThat(u.attributes()).containsEntry("email", "ann@example.com")
        .containsEntry("role", "customer").containsEntry("status", "active");
  }

  @Test
  void userEmailIsOptionalButMustBeValid() {
    assertThat(create("user", map()).attributes()).doesNotContainKey("email");
    for (Object bad : List.of("not-an-email", "a@b", "a b@example.com", "@example.com", 5)) {
      assertInvalid(() -> create("user", map("email", bad)), "attributes.email");
    }
  }

  @Test
  void userRoleAndStatusAreEnums() {
    assertThat(create("user", map("role", "admin", "status", "suspended")).attributes())
        .containsEntry("role", "admin").containsEntry("status", "suspended");
    assertInvalid(() -> create("user", map("role", "root")), "attributes.role",
        m -> assertThat(m).contains("admin, customer, merchant"));
    assertInvalid(() -> create("user", map("status", "deleted")), "attributes.status");
  }

  // --- product ---

  @Test
  void productRequiresSkuAndPrice() {
    assertInvalid(() -> create("product", map()), "attributes.sku", "attributes.price");
    assertInvalid(() -> create("product", map("price", "1.00")), "attributes.sku");
    assertInvalid(() -> create("product", map("sku", "S")), "attributes.price");
    assertInvalid(() -> create("product", product("sku", "  ")), "attributes.sku");
  }

  @Test
  void priceIsCanonicalisedToAtLeastTwoDecimals() {
    assertThat(create("product", product("price", "25")).attributes()).containsEntry("price", "25.00");
    assertThat(create("product", product("price", "10.5")).attributes()).containsEntry("price", "10.50");
    assertThat(create("product", product("price", "25.000")).attributes()).containsEntry("price", "25.00");
    assertThat(create("product", product("price", " 7 ")).attributes()).containsEntry("price", "7.00");
    assertThat(create("product", product("price", "0")).attributes()).containsEntry("price", "0.00");
    assertThat(create("product", product("price", "100")).attributes()).containsEntry("price", "100.00");
  }

  @Test
  void priceKeepsMoreThanTwoSignificantDecimals() {
    assertThat(create("product", product("price", "9.999")).attributes()).containsEntry("price", "9.999");
    assertThat(create("product", product("price", "0.1250")).attributes()).containsEntry("price", "0.125");
  }

  @Test
  void integerPriceIsAccepted() {
    assertThat(create("product", product("price", 25)).attributes()).containsEntry("price", "25.00");
    assertThat(create("product", product("price", 25L)).attributes()).containsEntry("price", "25.00");
  }

  @Test
  void floatPriceIsRejected() {
    assertInvalid(() -> create("product", product("price", 9.99)), "attributes.price",
        m -> assertThat(m).contains("decimal string"));
    assertInvalid(() -> create("product", product("price", 25.0)), "attributes.price");
  }

  @Test
  void negativePriceIsRejected() {
    assertInvalid(() -> create("product", product("price", "-0.01")), "attributes.price",
        m -> assertThat(m).contains("negative"));
    assertInvalid(() -> create("product", product("price", -5)), "attributes.price");
  }

  @Test
  void malformedPriceIsRejected() {
    for (Object bad : List.of("abc", "1.23456", "1e3", "25.", ".5", "1,00", "1234567890123456", true)) {
      assertInvalid(() -> create("product", product("price", bad)), "attributes.price");
    }
  }

  @Test
  void stockDefaultsToZero() {
    assertThat(create("product", product()).attributes()).containsEntry("stock", 0);
  }

  @Test
  void stockIsANonNegativeInteger() {
    assertThat(create("product", product("stock", 12)).attributes()).containsEntry("stock", 12);
    assertThat(create("product", product("stock", 3L)).attributes()).containsEntry("stock", 3);
    assertThat(create("product", product("stock", 4.0)).attributes()).containsEntry("stock", 4);
    assertInvalid(() -> create("product", product("stock", -1)), "attributes.stock",
        m -> assertThat(m).contains(">= 0"));
    assertInvalid(() -> create("product", product("stock", 1.5)), "attributes.stock");
    assertInvalid(() -> create("product", product("stock", "5")), "attributes.stock");
    assertInvalid(() -> create("product", product("stock", 3_000_000_000L)), "attributes.stock");
  }

  @Test
  void productCategoryIsAShortString() {
    assertThat(create("product", product("category", "pens")).attributes()).containsEntry("category", "pens");
    assertInvalid(() -> create("product", product("category", "c".repeat(101))), "attributes.category");
    assertInvalid(() -> create("product", product("category", 5)), "attributes.category");
  }

  // --- order ---

  @Test
  void orderRequiresUserIdAmountAndCurrency() {
    assertInvalid(() -> create("order", map()), "attributes.user_id", "attributes.amount", "attributes.currency");
  }

  @Test
  void orderDefaultsStatusToPendingAndItemsToEmpty() {
    Entity o = create("order", order());

    assertThat(o.attributes()).containsEntry("status", "pending").containsEntry("items", List.of())
        .containsEntry("amount", "25.00");
  }

  @Test
  void orderStatusIsAnEnum() {
    assertThat(create("order", order("status", "shipped")).attributes()).containsEntry("status", "shipped");
    assertInvalid(() -> create("order", order("status", "lost")), "attributes.status");
  }

  @Test
  void currencyIsIso4217AndUpperCased() {
    assertThat(create("order", order("currency", "eur")).attributes()).containsEntry("currency", "EUR");
    assertThat(create("order", order("currency", "JPY")).attributes()).containsEntry("currency", "JPY");
    for (Object bad : List.of("XYZ", "EURO", "E", "", 978)) {
      assertInvalid(() -> create("order", order("currency", bad)), "attributes.currency",
          m -> assertThat(m).contains("ISO 4217"));
    }
  }

  @Test
  void orderUserIdMustBeAnId() {
    assertInvalid(() -> create("order", order("user_id", "")), "attributes.user_id");
    assertInvalid(() -> create("order", order("user_id", 42)), "attributes.user_id");
    assertInvalid(() -> create("order", order("user_id", "u".repeat(65))), "attributes.user_id");
  }

  @Test
  void orderItemsAreValidatedAndNormalized() {
    Entity o = create("order", order("items", List.of(
        map("product_id", "p-1", "quantity", 2, "unit_price", "5"),
        map("product_id", "p-2", "quantity", 1))));

    assertThat(o.attributes().get("items")).isEqualTo(List.of(
        Map.of("product_id", "p-1", "quantity", 2, "unit_price", "5.00"),
        Map.of("product_id", "p-2", "quantity", 1)));
  }

  @Test
  void orderItemQuantityMustBePositive() {
    assertInvalid(() -> create("order", order("items", List.of(map("product_id", "p-1", "quantity", 0)))),
        "attributes.items[0].quantity", m -> assertThat(m).contains(">= 1"));
    assertInvalid(() -> create("order", order("items", List.of(
        map("product_id", "p-1", "quantity", 1), map("product_id", "p-2", "quantity", -3)))),
        "attributes.items[1].quantity");
    assertInvalid(() -> create("order", order("items", List.of(map("product_id", "p-1", "quantity", 1.5)))),
        "attributes.items[0].quantity");
  }

  @Test
  void orderItemNeedsProductIdAndQuantity() {
    assertInvalid(() -> create("order", order("items", List.of(map()))),
        "attributes.items[0].product_id", "attributes.items[0].quantity");
  }

  @Test
  void orderItemUnitPriceIsMoney() {
    assertInvalid(() -> create("order", order("items", List.of(
        map("product_id", "p-1", "quantity", 1, "unit_price", 2.5)))), "attributes.items[0].unit_price");
    assertInvalid(() -> create("order", order("items", List.of(
        map("product_id", "p-1", "quantity", 1, "unit_price", "-1")))), "attributes.items[0].unit_price");
  }

  @Test
  void orderItemsMustBeAnArrayOfObjects() {
    assertInvalid(() -> create("order", order("items", "p-1")), "attributes.items",
        m -> assertThat(m).contains("array"));
    assertInvalid(() -> create("order", order("items", List.of("p-1"))), "attributes.items[0]",
        m -> assertThat(m).contains("object"));
  }

  @Test
  void orderReferencesTheUserAndEachItemsProduct() {
    Entity o = create("order", order("items", List.of(
        map("product_id", "p-1", "quantity", 1), map("product_id", "p-2", "quantity", 1))));

    assertThat(CATALOG.require("order").rules().references(o.attributes())).containsExactly(
        new Reference("attributes.user_id", "user", "u-1"),
        new Reference("attributes.items[0].product_id", "product", "p-1"),
        new Reference("attributes.items[1].product_id", "product", "p-2"));
  }

  // --- payment ---

  @Test
  void paymentRequiresOrderIdAmountCurrencyAndMethod() {
    assertInvalid(() -> create("payment", map()),
        "attributes.order_id", "attributes.amount", "attributes.currency", "attributes.method");
  }

  @Test
  void paymentMethodIsAnEnum() {
    for (String ok : List.of("card", "bank_transfer", "wallet")) {
      assertThat(create("payment", payment("method", ok)).attributes()).containsEntry("method", ok);
    }
    assertInvalid(() -> create("payment", payment("method", "cash")), "attributes.method",
        m -> assertThat(m).contains("bank_transfer, card, wallet"));
  }

  @Test
  void paymentDefaultsStatusToPendingAndNormalizesMoneyAndCurrency() {
    Entity p = create("payment", payment("amount", "3", "currency", "usd"));

    assertThat(p.attributes()).containsEntry("status", "pending").containsEntry("amount", "3.00")
        .containsEntry("currency", "USD");
    assertInvalid(() -> create("payment", payment("status", "paid")), "attributes.status");
    assertInvalid(() -> create("payment", payment("transaction_ref", "t".repeat(129))), "attributes.transaction_ref");
  }

  @Test
  void paymentReferencesItsOrder() {
    Entity p = create("payment", payment());

    assertThat(CATALOG.require("payment").rules().references(p.attributes()))
        .containsExactly(new Reference("attributes.order_id", "order", "o-1"));
  }

  // --- applyChanges ---

  private static Entity storedProduct() {
    return new Entity("p-1", "product", "Pen", "A pen", Map.of("source", "import", "batch", 7), true, 3, T0, T0,
        Map.of("sku", "PEN-1", "price", "1.50", "stock", 5, "category", "office"));
  }

  @Test
  void applyChangesMergesAttributesKeyByKeyWithNullRemovingAKey() {
    Entity changed = factory.applyChanges(storedProduct(),
        map("attributes", map("stock", 9, "category", null, "colour", "blue")), CATALOG);

    assertThat(changed.attributes()).containsExactlyInAnyOrderEntriesOf(
        Map.of("sku", "PEN-1", "price", "1.50", "stock", 9, "colour", "blue"));
  }

  @Test
  void applyChangesMergesMetadataKeyByKeyWithNullRemovingAKey() {
    Entity changed = factory.applyChanges(storedProduct(), map("metadata", map("batch", null, "owner", "bob")), CATALOG);

    assertThat(changed.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("source", "import", "owner", "bob"));
  }

  @Test
  void unknownTopLevelChangeKeysAreAttributeChanges() {
    Entity changed = factory.applyChanges(storedProduct(), map("stock", 1, "price", "2"), CATALOG);

    assertThat(changed.attributes()).containsEntry("stock", 1).containsEntry("price", "2.00")
        .containsEntry("sku", "PEN-1");
    assertThat(changed.name()).isEqualTo("Pen");
  }

  @Test
  void topLevelEntityFieldsChange() {
    Entity changed = factory.applyChanges(storedProduct(),
        map("name", "Fountain pen", "description", null, "active", false), CATALOG);

    assertThat(changed.name()).isEqualTo("Fountain pen");
    assertThat(changed.description()).as("null clears the description").isNull();
    assertThat(changed.active()).isFalse();
    assertThat(changed.attributes()).isEqualTo(storedProduct().attributes());
  }

  @Test
  void applyChangesKeepsIdentityVersionAndTimestamps() {
    Entity before = storedProduct();

    Entity changed = factory.applyChanges(before, map("name", "Other"), CATALOG);

    assertThat(changed.id()).isEqualTo("p-1");
    assertThat(changed.type()).isEqualTo("product");
    assertThat(changed.version()).isEqualTo(3);
    assertThat(changed.createdAt()).isEqualTo(T0);
    assertThat(changed.updatedAt()).isEqualTo(T0);
  }

  @Test
  void emptyChangesLeaveTheEntityAsItWas() {
    assertThat(factory.applyChanges(storedProduct(), map(), CATALOG)).isEqualTo(storedProduct());
  }

  @Test
  void readOnlyFieldsCannotBeChanged() {
    for (String key : List.of("id", "type", "version", "created_at", "updated_at", "state")) {
      assertInvalid(() -> factory.applyChanges(storedProduct(), map(key, "x"), CATALOG), "changes." + key,
          m -> assertThat(m).contains("cannot be changed"));
    }
  }

  @Test
  void allReadOnlyViolationsAreReportedTogether() {
    assertThatThrownBy(() -> factory.applyChanges(storedProduct(), map("id", "p-2", "version", 9), CATALOG))
        .isInstanceOfSatisfying(UowException.Invalid.class, e -> assertThat(e.errors()).extracting(FieldError::field)
            .containsExactlyInAnyOrder("changes.id", "changes.version"));
  }

  @Test
  void changedNameIsValidated() {
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("name", null), CATALOG), "changes.name");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("name", " "), CATALOG), "name");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("name", "n".repeat(101)), CATALOG), "name");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("description", "d".repeat(501)), CATALOG),
        "description");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("active", "no"), CATALOG), "active");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("metadata", "x"), CATALOG), "metadata");
  }

  @Test
  void changedAttributesAreRevalidatedWithTheTypesRules() {
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("price", "-1"), CATALOG), "attributes.price");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("attributes", map("price", 1.5)), CATALOG),
        "attributes.price");
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("attributes", map("sku", null)), CATALOG),
        "attributes.sku", m -> assertThat(m).contains("required"));
    assertInvalid(() -> factory.applyChanges(storedProduct(), map("stock", -2), CATALOG), "attributes.stock");
  }

  @Test
  void removingStockRestoresItsDefault() {
    Entity changed = factory.applyChanges(storedProduct(), map("attributes", map("stock", null)), CATALOG);

    assertThat(changed.attributes()).containsEntry("stock", 0);
  }

  @Test
  void changesToAnOrderNormalizeCurrency() {
    Entity stored = new Entity("o-1", "order", "o", null, Map.of(), true, 1, T0, T0,
        Map.of("user_id", "u-1", "amount", "5.00", "currency", "EUR", "status", "pending", "items", List.of()));

    Entity changed = factory.applyChanges(stored, map("currency", "gbp", "status", "paid"), CATALOG);

    assertThat(changed.attributes()).containsEntry("currency", "GBP").containsEntry("status", "paid");
  }

  @Test
  void changesToAnEntityOfADisabledTypeAreInvalid() {
    TypeCatalog usersOnly = TypeCatalog.of(List.of("user"), List.of());

    assertThatThrownBy(() -> factory.applyChanges(storedProduct(), map("stock", 1), usersOnly))
        .isInstanceOf(UowException.Invalid.class).hasMessageContaining("product");
  }
}
