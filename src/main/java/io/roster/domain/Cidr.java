package io.roster.domain;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network (RFC 4632 / RFC 4291 prefix notation). An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, as a dual-stack listener reports IPv4 peers) matches IPv4 networks.
 */
public record Cidr(byte[] network, int prefix) {
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  public static Optional<Cidr> parse(String text) {
    String t = text == null ? "" : text.trim();
    int slash = t.indexOf('/');
    String host = slash < 0 ? t : t.substring(0, slash);
    Optional<InetAddress> address = literal(host);
    if (address.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = address.get().getAddress();
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (prefix < 0 || prefix > max) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(bytes, prefix));
  }

  /** A comma- or space-separated list; empty or null is no network. Throws for a bad entry. */
  public static List<Cidr> list(String text) {
    List<Cidr> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split("[,\\s]+")) {
      if (!part.isBlank()) {
        out.add(parse(part).orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + part)));
      }
    }
    return out;
  }

  /** A numeric address (never a DNS look-up). */
  public static Optional<InetAddress> literal(String host) {
    String h = host == null ? "" : host.trim();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty() || !LITERAL.matcher(h).matches() || (!h.contains(":") && h.chars().filter(c -> c == '.').count() != 3)) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(h));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
      byte[] v4 = new byte[4];
      System.arraycopy(a, 12, v4, 0, 4);
      a = v4;
    }
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  private static boolean isMappedV4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  public static boolean anyContains(List<Cidr> networks, InetAddress address) {
    for (Cidr c : networks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      return "?/" + prefix;
    }
  }

  @SuppressWarnings("unused")
  private static boolean v6(InetAddress a) {
    return a instanceof Inet6Address && !(a instanceof Inet4Address);
  }
}
