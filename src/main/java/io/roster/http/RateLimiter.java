package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Settings;
import io.roster.domain.Cidr;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-address token buckets for the public authentication calls (API.md 12.1), per replica:
 * RATE_LIMIT_AUTH "N/DURATION" refills N tokens per DURATION up to a burst (";burst=M", default
 * 10 x N; the default is 30/PT1S with a burst of 300), "off" disables it. Every answer of these
 * calls carries RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers); past the
 * limit the answer is 429 RATE_LIMITED with Retry-After, decided in memory before any other work.
 */
public final class RateLimiter {
  static final String POLICY = "auth";
  private static final int MAX_TRACKED = 100_000;

  private final boolean enabled;
  private final double perSecond;
  private final double burst;
  private final List<Cidr> exempt;
  private final ClientAddress clients;
  private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public RateLimiter(JsonObject conf) {
    String spec = Settings.string(conf, "RATE_LIMIT_AUTH", "30/PT1S;burst=300");
    this.clients = new ClientAddress(Cidr.list(Settings.string(conf, "TRUSTED_PROXIES", null)));
    this.exempt = Cidr.list(Settings.string(conf, "RATE_LIMIT_EXEMPT", null));
    if (spec.equalsIgnoreCase("off")) {
      enabled = false;
      perSecond = 0;
      burst = 0;
      return;
    }
    try {
      String[] parts = spec.split(";");
      String[] rate = parts[0].split("/");
      double n = Double.parseDouble(rate[0].trim());
      Duration per = Duration.parse(rate[1].trim());
      double b = 10 * n;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].split("=");
        if (kv[0].trim().equals("burst")) {
          b = Double.parseDouble(kv[1].trim());
        }
      }
      if (n <= 0 || per.isZero() || per.isNegative() || b < 1) {
        throw new IllegalArgumentException();
      }
      enabled = true;
      perSecond = n / (per.toMillis() / 1000.0);
      burst = b;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("RATE_LIMIT_AUTH must be like 30/PT1S or 30/PT1S;burst=300, or off; got '" + spec + "'");
    }
  }

  ClientAddress clients() {
    return clients;
  }

  /** The route handler: takes a token of the caller's address or answers 429. */
  void handle(RoutingContext ctx) {
    if (!enabled) {
      ctx.next();
      return;
    }
    Optional<InetAddress> who = Api.client(ctx);
    if (who.isEmpty() || Cidr.anyContains(exempt, who.get())) {
      ctx.next();
      return;
    }
    long now = System.nanoTime();
    if (buckets.size() > MAX_TRACKED) {
      // Bounded memory: forget the buckets that have refilled anyway.
      buckets.entrySet().removeIf(e -> refill(e.getValue(), now) >= burst);
    }
    Bucket b = buckets.computeIfAbsent(who.get(), k -> new Bucket(burst, now));
    double left;
    boolean allowed;
    synchronized (b) {
      left = refill(b, now);
      allowed = left >= 1;
      if (allowed) {
        left -= 1;
      }
      b.tokens = left;
      b.at = now;
    }
    long window = Math.max(1, Math.round(burst / perSecond));
    long reset = (long) Math.ceil((burst - left) / perSecond);
    ctx.response().putHeader("RateLimit-Policy", "\"" + POLICY + "\";q=" + (long) burst + ";w=" + window)
        .putHeader("RateLimit", "\"" + POLICY + "\";r=" + (long) Math.floor(left) + ";t=" + reset);
    if (allowed) {
      ctx.next();
      return;
    }
    long retry = Math.max(1, (long) Math.ceil((1 - left) / perSecond));
    Problems.send(ctx, new ApiException(ErrorCode.RATE_LIMITED, "Too many requests from this address; try again later",
        new JsonObject().put("retryAfter", retry)));
  }

  private double refill(Bucket b, long now) {
    return Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
  }
}
