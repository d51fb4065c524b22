package io.uowservice.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money and other decimals travel as strings with at least two fraction digits: "25.00", "0.1250". */
public final class Money {

  private Money() {
  }

  public static String canonical(BigDecimal amount) {
    BigDecimal stripped = amount.stripTrailingZeros();
    int scale = Math.max(2, stripped.scale());
    return amount.setScale(scale, RoundingMode.UNNECESSARY).toPlainString();
  }
}
