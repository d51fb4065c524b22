package io.uowservice.domain;

/** A foreign-key-like link from one entity's attribute ({@code field}, e.g. {@code items[0].product_id}) to another entity. */
public record Reference(String field, String targetType, String targetId) {
}
