package io.roster.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL servers a DATABASE_URL names, and which of them takes writes now. One host is
 * used as it is. Several, libpq style (postgresql://u:p@h1:5432,h2:5432/db), are a primary and its
 * standbys: every new connection goes to the one that is not in recovery, found by asking each in
 * turn and remembered for a second, so when the primary dies and a standby is promoted the pool's
 * next connections reach the new primary without a restart. While none takes writes, connecting
 * fails at once ({@link NoPrimary}, a ConnectException, so requests get 503 UNAVAILABLE).
 * The query parameters targetServerType=primary (pgjdbc) and target_session_attrs=read-write
 * (libpq) say the same and are accepted; Roster writes, so no other target makes sense.
 */
public final class Servers {
  private static final Pattern URL = Pattern.compile("^(postgres(?:ql)?://)([^@/]*@)?([^/?#]*)(.*)$");
  private static final long CONFIRMED_FOR_MS = 1_000;
  private static final long PROBE_TIMEOUT_MS = 2_000;

  /** No server named in DATABASE_URL takes writes right now (all down, or only standbys). */
  public static final class NoPrimary extends java.net.ConnectException {
    NoPrimary(String message) {
      super(message);
    }
  }

  private final List<PgConnectOptions> servers;
  private final String jdbcUrl;
  private volatile int primary;
  private volatile long confirmedAt;

  private Servers(List<PgConnectOptions> servers, String jdbcUrl) {
    this.servers = List.copyOf(servers);
    this.jdbcUrl = jdbcUrl;
  }

  public static Servers of(PgConnectOptions one) {
    return new Servers(List.of(one), "jdbc:postgresql://" + hostPort(one) + "/" + one.getDatabase());
  }

  /** Parses a postgresql:// URL with one host or several (comma-separated host:port pairs). */
  public static Servers parse(String url) {
    Matcher m = URL.matcher(url.trim());
    if (!m.matches() || m.group(3).isEmpty()) {
      throw new IllegalArgumentException("DATABASE_URL must be postgresql://user:password@host[:port][,host[:port]...]/database");
    }
    String scheme = m.group(1);
    String user = m.group(2) == null ? "" : m.group(2);
    String rest = withoutTargetParameters(m.group(4));
    List<PgConnectOptions> servers = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    for (String host : m.group(3).split(",")) {
      if (host.isBlank()) {
        throw new IllegalArgumentException("DATABASE_URL names an empty host");
      }
      servers.add(PgConnectOptions.fromUri(scheme + user + host.trim() + rest));
      hosts.add(hostPort(servers.get(servers.size() - 1)));
    }
    PgConnectOptions first = servers.get(0);
    String jdbc = "jdbc:postgresql://" + String.join(",", hosts) + "/" + first.getDatabase()
        + (servers.size() > 1 ? "?targetServerType=primary" : "");
    return new Servers(servers, jdbc);
  }

  /** Drops targetServerType / target_session_attrs (checked: only primary / read-write). */
  private static String withoutTargetParameters(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    if (q < 0) {
      return pathAndQuery;
    }
    List<String> kept = new ArrayList<>();
    for (String p : pathAndQuery.substring(q + 1).split("&")) {
      String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      String value = p.contains("=") ? p.substring(p.indexOf('=') + 1) : "";
      if (key.equals("targetServerType") || key.equals("target_session_attrs")) {
        if (!List.of("primary", "master", "read-write").contains(value)) {
          throw new IllegalArgumentException("DATABASE_URL: " + key + "=" + value
              + " is not supported; Roster writes, so it connects only to the primary (" + key + "=primary or read-write)");
        }
      } else if (!p.isEmpty()) {
        kept.add(p);
      }
    }
    return pathAndQuery.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  private static String hostPort(PgConnectOptions o) {
    String host = o.getHost().contains(":") ? "[" + o.getHost() + "]" : o.getHost();
    return host + ":" + o.getPort();
  }

  /** The first server's options (user, password, database are the same for all). */
  public PgConnectOptions first() {
    return new PgConnectOptions(servers.get(0));
  }

  /** A JDBC URL for all the servers (pgjdbc picks the primary itself); for Flyway and tools. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The options of the server that takes writes now (a copy, to configure freely). */
  public Future<PgConnectOptions> writable(Vertx vertx) {
    int known = primary;
    if (servers.size() == 1 || System.currentTimeMillis() - confirmedAt < CONFIRMED_FOR_MS) {
      return Future.succeededFuture(new PgConnectOptions(servers.get(known)));
    }
    return probe(vertx, known, 0);
  }

  private Future<PgConnectOptions> probe(Vertx vertx, int i, int tried) {
    if (tried == servers.size()) {
      return Future.failedFuture(new NoPrimary("none of the " + servers.size() + " servers in DATABASE_URL accepts writes now"));
    }
    PgConnectOptions o = servers.get(i);
    return PgConnection.connect(vertx, o)
        .compose(c -> c.query("SELECT pg_is_in_recovery()").execute().eventually(c::close))
        .timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(rows -> !rows.iterator().next().getBoolean(0))
        .otherwise(false)
        .compose(writable -> {
          if (writable) {
            primary = i;
            confirmedAt = System.currentTimeMillis();
            return Future.succeededFuture(new PgConnectOptions(o));
          }
          return probe(vertx, (i + 1) % servers.size(), tried + 1);
        });
  }
}
