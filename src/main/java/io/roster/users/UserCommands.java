package io.roster.users;

/** Event-bus contract of the user commands: own account (section 6) and user management (section 7). */
public final class UserCommands {
  public static final String ADDRESS = "users.commands";

  public static final String ME = "me";
  public static final String UPDATE_ME = "updateMe";
  public static final String LIST = "list";
  public static final String GET = "get";
  public static final String CREATE = "create";
  public static final String UPDATE = "update";
  public static final String DELETE = "delete";
  public static final String DEACTIVATE = "deactivate";
  public static final String ACTIVATE = "activate";
  public static final String UNLOCK = "unlock";
  public static final String RESET_PASSWORD = "resetPassword";
  public static final String RESET_2FA = "reset2fa";
  public static final String RESEND_INVITATION = "resendInvitation";
  public static final String SESSIONS = "sessions";
  public static final String REVOKE_SESSIONS = "revokeSessions";
  public static final String GROUPS = "groups";

  private UserCommands() {}
}
