package io.roster.orgs;

/** Event-bus contract of the organization commands: support's, and an organization's own settings. */
public final class OrgCommands {
  public static final String ADDRESS = "orgs.commands";
  public static final String CREATE = "create";
  public static final String LIST = "list";
  public static final String PROMOTE_ROOT_ADMIN = "promoteRootAdmin";
  public static final String GET_POLICY = "getPolicy";
  public static final String PUT_POLICY = "putPolicy";
  public static final String AUDIT = "audit";
  public static final String GET_ALLOWLIST = "getAllowlist";
  public static final String PUT_ALLOWLIST = "putAllowlist";
  public static final String CLEAR_ALLOWLIST = "clearAllowlist";

  private OrgCommands() {}
}
