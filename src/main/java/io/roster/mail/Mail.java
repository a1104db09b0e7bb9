package io.roster.mail;

/** One message as the outbox keeps it: plain-text and HTML parts. */
public record Mail(String to, String subject, String text, String html) {

  public static Mail invitation(String baseUrl, String to, String firstName, String orgName, String token) {
    String link = baseUrl + "/invitation?token=" + token;
    String text = "Hello " + firstName + ",\n\n"
        + "You have been invited to join " + orgName + " on Roster.\n"
        + "Accept the invitation and set your password here:\n\n" + link + "\n\n"
        + "If you did not expect this invitation, you can ignore this mail.\n";
    return new Mail(to, "Your invitation to " + orgName, text,
        html("You have been invited to join " + escape(orgName) + ".", "Accept the invitation", link));
  }

  public static Mail passwordReset(String baseUrl, String to, String firstName, String token) {
    String link = baseUrl + "/reset-password?token=" + token;
    String text = "Hello " + firstName + ",\n\n"
        + "Someone asked to reset the password of your Roster account.\n"
        + "Set a new password here:\n\n" + link + "\n\n"
        + "If this was not you, you can ignore this mail; your password stays as it is.\n";
    return new Mail(to, "Password reset for your account", text,
        html("Someone asked to reset the password of your account.", "Set a new password", link));
  }

  public static Mail emailVerification(String baseUrl, String to, String firstName, String token) {
    String link = baseUrl + "/verify-email?token=" + token;
    String text = "Hello " + firstName + ",\n\n"
        + "Your Roster account is to use this address from now on. Confirm it here:\n\n" + link + "\n\n"
        + "Until you do, the account keeps its current address. If you did not expect this, ignore this mail.\n";
    return new Mail(to, "Verify your new email address", text,
        html("Your account is to use this address from now on.", "Verify this address", link));
  }

  public static Mail emailChangeNotice(String to, String firstName, String newEmail) {
    String text = "Hello " + firstName + ",\n\n"
        + "Someone asked to change the email address of your Roster account to " + newEmail + ".\n"
        + "The change applies only once that address confirms it. If this was not you, tell your administrator.\n";
    return new Mail(to, "Your account's email address is being changed", text,
        "<!doctype html><html><body><p>Someone asked to change the email address of your account to " + escape(newEmail)
            + ".</p><p>The change applies only once that address confirms it. If this was not you, tell your administrator.</p></body></html>");
  }

  /** The notice of a lock (API.md 12.5), with a link that ends it, good until it ends by itself. */
  public static Mail lockoutNotice(String baseUrl, String to, String firstName, java.time.Instant until, String token) {
    String link = baseUrl + "/unlock?token=" + token;
    String when = io.roster.common.Times.format(until);
    String text = "Hello " + firstName + ",\n\n"
        + "Your Roster account was locked after too many failed sign-in attempts. It unlocks by itself at "
        + when + " (UTC).\n"
        + "If it was you, you can unlock it now:\n\n" + link + "\n\n"
        + "If it was not you, someone may be guessing your password: consider changing it, and tell your administrator.\n";
    return new Mail(to, "Your account is locked until " + when, text,
        html("Your account was locked after too many failed sign-in attempts. It unlocks by itself at " + escape(when)
            + " (UTC). If it was you, you can unlock it now.", "Unlock my account", link));
  }

  /** Tells the user that one of their recovery codes was used to sign in (API.md 12.6). */
  public static Mail recoveryCodeUsed(String to, String firstName, int left) {
    String text = "Hello " + firstName + ",\n\n"
        + "A recovery code was just used to sign in to your Roster account. " + left + " unused code(s) remain.\n"
        + "If this was not you, change your password and tell your administrator.\n";
    return new Mail(to, "A recovery code was used to sign in", text,
        "<!doctype html><html><body><p>A recovery code was just used to sign in to your account. " + left
            + " unused code(s) remain.</p><p>If this was not you, change your password and tell your administrator.</p></body></html>");
  }

  private static String html(String lead, String action, String link) {
    return "<!doctype html><html><body><p>" + lead + "</p><p><a href=\"" + escape(link) + "\">" + action
        + "</a></p><p>" + escape(link) + "</p></body></html>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
