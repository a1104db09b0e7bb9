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

  private static String html(String lead, String action, String link) {
    return "<!doctype html><html><body><p>" + lead + "</p><p><a href=\"" + escape(link) + "\">" + action
        + "</a></p><p>" + escape(link) + "</p></body></html>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
