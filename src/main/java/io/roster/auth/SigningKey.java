package io.roster.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The RS256 key that signs access tokens. Taken from JWT_PRIVATE_KEY_PEM (PKCS#8), or generated
 * once and kept in the signing_keys table so that every replica signs and verifies alike.
 */
public record SigningKey(String kid, String privatePem, String publicPem, RSAPublicKey publicKey) {
  public static final String ALGORITHM = "RS256";

  private static final String LOAD =
      "SELECT kid, private_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1";
  private static final String INSERT = "INSERT INTO signing_keys (kid, private_pem) VALUES ($1, $2)";

  /** The configured key, else the current one in the database (generated and stored encrypted on first start). */
  public static Future<SigningKey> load(Pool pool, String configuredPem, io.roster.crypto.Secrets secrets) {
    if (configuredPem != null && !configuredPem.isBlank()) {
      try {
        return Future.succeededFuture(fromPem(configuredPem.replace("\\n", "\n")));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        return Future.failedFuture(new IllegalArgumentException("JWT_PRIVATE_KEY_PEM is not a PKCS#8 RSA private key", e));
      }
    }
    // One transaction under an advisory lock: replicas starting together agree on one key.
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(7301)").execute()
        .compose(x -> conn.query(LOAD).execute())
        .compose(rows -> {
          if (rows.size() > 0) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(secrets.decrypt(r.getString("private_pem"), r.getString("kid")));
          }
          String pem = generatePem();
          String kid = fromPemUnchecked(pem).kid();
          return conn.preparedQuery(INSERT).execute(Tuple.of(kid, secrets.encrypt(pem, kid))).map(pem);
        }))
        .map(SigningKey::fromPemUnchecked);
  }

  static SigningKey fromPemUnchecked(String pem) {
    try {
      return fromPem(pem);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static SigningKey fromPem(String pem) throws GeneralSecurityException {
    String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    RSAPrivateCrtKey priv = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    RSAPublicKey pub = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pub.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    String kid = b64(MessageDigest.getInstance("SHA-256").digest(pub.getEncoded())).substring(0, 16);
    return new SigningKey(kid, pem, publicPem, pub);
  }

  static String generatePem() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      byte[] der = gen.generateKeyPair().getPrivate().getEncoded();
      return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
          + "\n-----END PRIVATE KEY-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options for a JWTAuth that signs with this key only. */
  JWTAuthOptions signingOptions() {
    return new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setId(kid).setBuffer(privatePem))
        .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM).setLeeway(0));
  }

  /** Adds this key's public half to a verifier. */
  void addVerification(JWTAuthOptions options) {
    options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setId(kid).setBuffer(publicPem));
  }

  /** This key as a JSON Web Key (RFC 7517). */
  JsonObject jwk() {
    return new JsonObject()
        .put("kty", "RSA").put("use", "sig").put("alg", ALGORITHM).put("kid", kid)
        .put("n", b64(unsigned(publicKey.getModulus())))
        .put("e", b64(unsigned(publicKey.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      byte[] t = new byte[b.length - 1];
      System.arraycopy(b, 1, t, 0, t.length);
      return t;
    }
    return b;
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
