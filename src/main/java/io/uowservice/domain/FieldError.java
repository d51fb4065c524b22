package io.uowservice.domain;

/** One invalid input field, reported to clients as {@code errors[]} of a problem. */
public record FieldError(String field, String message) {
}
