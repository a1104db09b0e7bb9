package io.roster.common;

/** The stable error codes of API.md section 10, with their HTTP status. */
public enum ErrorCode {
  MALFORMED_REQUEST(400, "Malformed request"),
  VALIDATION_FAILED(400, "Validation failed"),
  PASSWORD_POLICY(400, "Password does not meet the policy"),
  INVALID_TOKEN(400, "Invalid token"),
  INVALID_TOKEN_AUTH(401, "Invalid token"),
  UNAUTHENTICATED(401, "Unauthenticated"),
  INVALID_CREDENTIALS(401, "Invalid credentials"),
  INVALID_MFA_CODE(401, "Invalid MFA code"),
  FORBIDDEN(403, "Forbidden"),
  ACCOUNT_DEACTIVATED(403, "Account deactivated"),
  IP_NOT_ALLOWED(403, "Address not allowed"),
  NOT_FOUND(404, "Not found"),
  EMAIL_TAKEN(409, "Email taken"),
  ROOT_ADMIN_PROTECTED(409, "Root Admin protected"),
  SELF_ACTION_FORBIDDEN(409, "Self action forbidden"),
  INVALID_STATUS_TRANSITION(409, "Invalid status transition"),
  SELF_LOCKOUT(409, "Self lockout"),
  REQUEST_TIMEOUT(408, "Request timeout"),
  VERSION_CONFLICT(412, "Version conflict"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  URI_TOO_LONG(414, "URI too long"),
  ACCOUNT_LOCKED(423, "Account locked"),
  RATE_LIMITED(429, "Too many requests"),
  HEADERS_TOO_LARGE(431, "Request headers too large"),
  INTERNAL(500, "Internal error"),
  NOT_IMPLEMENTED(501, "Not implemented"),
  OVERLOADED(503, "Overloaded"),
  UNAVAILABLE(503, "Unavailable"),
  METHOD_NOT_ALLOWED(405, "Method not allowed");

  private final int status;
  private final String title;

  ErrorCode(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() { return status; }

  public String title() { return title; }

  /** The code clients see: INVALID_TOKEN has a 400 and a 401 flavour but one name. */
  public String code() { return this == INVALID_TOKEN_AUTH ? "INVALID_TOKEN" : name(); }
}
