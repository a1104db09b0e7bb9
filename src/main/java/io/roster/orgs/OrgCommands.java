package io.roster.orgs;

/** Event-bus contract of the support (organization) commands. */
public final class OrgCommands {
  public static final String ADDRESS = "orgs.commands";
  public static final String CREATE = "create";
  public static final String LIST = "list";
  public static final String PROMOTE_ROOT_ADMIN = "promoteRootAdmin";

  private OrgCommands() {}
}
