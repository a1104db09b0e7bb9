package io.roster.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Input rules shared by every entry point (API.md sections 2 and 9). Plain Java, no framework. */
public final class Validation {
  public static final int NAME_MAX = 100;
  public static final int EMAIL_MAX = 254;
  public static final int PASSWORD_MAX = 128;
  /** A group name: 1..100 code points; a user or an integration holds at most 100 of them. */
  public static final int GROUP_MAX = 100;
  public static final int GROUPS_MAX = 100;
  /** Opaque identifiers from other systems (SCIM externalId). */
  public static final int IDENTIFIER_MAX = 200;

  // A pragmatic address check: one @, a dot-separated domain, no spaces or control characters.
  private static final Pattern EMAIL = Pattern.compile(
      "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

  private Validation() {}

  /** Trims and lower-cases an email; empty if it is not an address. */
  public static Optional<String> email(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String e = stripUnicode(raw).toLowerCase(Locale.ROOT);
    if (e.length() > EMAIL_MAX || !EMAIL.matcher(e).matches() || e.contains("..")) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** Trims Unicode white space; empty if the result is blank or longer than 100 code points. */
  public static Optional<String> name(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String n = stripUnicode(raw);
    int points = n.codePointCount(0, n.length());
    if (points < 1 || points > NAME_MAX || n.codePoints().anyMatch(Character::isISOControl)) {
      return Optional.empty();
    }
    return Optional.of(n);
  }

  /** A group name, trimmed; empty if blank, over 100 code points or holding a control character. */
  public static Optional<String> group(String raw) {
    return name(raw);
  }

  /** An identifier another system chose: 1..200 characters, no control characters (they cannot be stored). */
  public static boolean identifier(String s) {
    return !s.isEmpty() && s.length() <= IDENTIFIER_MAX && !hasControl(s);
  }

  /** Whether the text holds a control character (U+0000..U+001F, U+007F..U+009F). */
  public static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** Strips white space as Unicode defines it, including no-break and ideographic spaces. */
  static String stripUnicode(String s) {
    int start = 0;
    int end = s.length();
    while (start < end) {
      int cp = s.codePointAt(start);
      if (!isSpace(cp)) {
        break;
      }
      start += Character.charCount(cp);
    }
    while (end > start) {
      int cp = s.codePointBefore(end);
      if (!isSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(start, end);
  }

  private static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85 || cp == 0x200B || cp == 0xFEFF;
  }
}
