package com.presencehub.protocol;

/**
 * A request field that breaks the contract: {@link #field()} names it ({@code tenant}, {@code
 * users[2]}, {@code from.id}; null for the request as a whole) and {@link #reason()} says what is
 * wrong, phrased to follow the name ({@code is required}). The message is {@code field: reason}.
 * Raised by {@link FieldRules}; each edge maps it to its own form: an {@code error} frame
 * {@code bad_request} (SockJS, PROTOCOL.md §4), a {@code ReplyException} 400 (event bus, §5), an
 * HTTP 400 {@code {"code":"bad_request","message"}} (§8).
 */
public final class FieldError extends RuntimeException {

  private final String field;
  private final String reason;

  public FieldError(String field, String reason) {
    super(field == null ? reason : field + ": " + reason, null, false, false);
    this.field = field;
    this.reason = reason;
  }

  /** The field's name as the caller wrote it, or null when the request as a whole is refused. */
  public String field() {
    return field;
  }

  /** What is wrong, without the field's name. */
  public String reason() {
    return reason;
  }
}
