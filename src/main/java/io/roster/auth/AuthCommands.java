package io.roster.auth;

/** Event-bus contract of the public authentication commands (API.md section 5). */
public final class AuthCommands {
  public static final String ADDRESS = "auth.commands";
  public static final String LOGIN = "login";
  public static final String MFA_ENROLL = "mfaEnroll";
  public static final String MFA_VERIFY = "mfaVerify";
  public static final String REFRESH = "refresh";
  public static final String LOGOUT = "logout";
  public static final String ACCEPT_INVITATION = "acceptInvitation";
  public static final String FORGOT_PASSWORD = "forgotPassword";
  public static final String RESET_PASSWORD = "resetPassword";
  public static final String CHANGE_PASSWORD = "changePassword";
  public static final String LINK_POLICY = "linkPolicy";
  public static final String UNLOCK = "unlock";
  public static final String RECOVERY_CODES = "recoveryCodes";
  public static final String VERIFY_EMAIL = "verifyEmail";
  /** Support: a new signing key becomes current (the previous one verifies until its tokens expire). */
  public static final String ROTATE_SIGNING_KEY = "rotateSigningKey";

  /** Published (local) when an account locks, so the lockout timer can arm itself. */
  public static final String LOCKED = "auth.events.locked";

  private AuthCommands() {}
}
