package io.roster.http;

import io.roster.domain.Cidr;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling (API.md 12.4): the TCP peer, or, when the peer is one of TRUSTED_PROXIES, the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy.
 */
final class ClientAddress {
  private final List<Cidr> trustedProxies;

  ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  Optional<InetAddress> of(HttpServerRequest req) {
    if (req.remoteAddress() == null) {
      return Optional.empty();
    }
    Optional<InetAddress> peer = Cidr.literal(req.remoteAddress().hostAddress());
    if (peer.isEmpty() || !Cidr.anyContains(trustedProxies, peer.get())) {
      return peer;
    }
    List<String> forwarded = req.headers().getAll("X-Forwarded-For");
    InetAddress client = peer.get();
    for (int h = forwarded.size() - 1; h >= 0; h--) {
      String[] hops = forwarded.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        Optional<InetAddress> hop = Cidr.literal(hops[i]);
        if (hop.isEmpty()) {
          return Optional.of(client);
        }
        client = hop.get();
        if (!Cidr.anyContains(trustedProxies, client)) {
          return Optional.of(client);
        }
      }
    }
    return Optional.of(client);
  }
}
