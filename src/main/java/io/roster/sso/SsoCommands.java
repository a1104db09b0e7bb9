package io.roster.sso;

/** Event-bus contract of SSO integrations and their mapping rules (API.md section 8). */
public final class SsoCommands {
  public static final String ADDRESS = "sso.commands";
  public static final String LIST = "list";
  public static final String CREATE = "create";
  public static final String GET = "get";
  public static final String UPDATE = "update";
  public static final String DELETE = "delete";
  public static final String MEMBERSHIPS = "memberships";

  private SsoCommands() {}
}
