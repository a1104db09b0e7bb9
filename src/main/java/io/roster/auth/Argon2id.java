package io.roster.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * argon2id password hashes as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash},
 * unpadded base64), computed by Bouncy Castle. Each thread that hashes keeps one pool of memory
 * blocks (m KiB, for the parameters in use) and every hash on it reuses them, so hashing
 * allocates next to nothing: a storm of logins costs the GC no work, and the memory hashing
 * needs is threads x m KiB, fixed. Strings made by any argon2 library in this format verify here.
 */
public final class Argon2id {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  /** The parameters of one hash. */
  public record Params(int memoryKiB, int iterations, int parallelism) {}

  private Argon2id() {}

  public static String hash(String password, Params p) {
    return hash(password, p, true);
  }

  /** A hash made once outside the hashing pool (start-up): it keeps no blocks on the calling thread. */
  public static String hashOnce(String password, Params p) {
    return hash(password, p, false);
  }

  private static String hash(String password, Params p, boolean pooled) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] out = derive(password, salt, p, HASH_BYTES, pooled);
    return "$argon2id$v=19$m=" + p.memoryKiB() + ",t=" + p.iterations() + ",p=" + p.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /** Whether password matches the PHC string; IllegalArgumentException when the string is not an argon2id hash. */
  public static boolean verify(String password, String phc) {
    Parsed h = parse(phc);
    byte[] actual = derive(password, h.salt, h.params, h.hash.length, true);
    return MessageDigest.isEqual(actual, h.hash);
  }

  /** The parameters a PHC string was made with; IllegalArgumentException when it is not an argon2id hash. */
  public static Params paramsOf(String phc) {
    return parse(phc).params;
  }

  private record Parsed(Params params, byte[] salt, byte[] hash) {}

  private static Parsed parse(String phc) {
    String[] parts = phc == null ? new String[0] : phc.split("\\$");
    // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
    if (parts.length != 6 || !parts[0].isEmpty() || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      throw new IllegalArgumentException("not an argon2id (v=19) PHC string");
    }
    int m = -1;
    int t = -1;
    int p = -1;
    for (String kv : parts[3].split(",")) {
      String[] pair = kv.split("=", 2);
      if (pair.length != 2) {
        throw new IllegalArgumentException("bad parameter " + kv);
      }
      int v = Integer.parseInt(pair[1]);
      switch (pair[0]) {
        case "m" -> m = v;
        case "t" -> t = v;
        case "p" -> p = v;
        default -> throw new IllegalArgumentException("unknown parameter " + pair[0]);
      }
    }
    if (m < 8 || t < 1 || p < 1) {
      throw new IllegalArgumentException("parameters out of range");
    }
    byte[] salt = B64D.decode(parts[4]);
    byte[] hash = B64D.decode(parts[5]);
    if (salt.length < 8 || hash.length < 16) {
      throw new IllegalArgumentException("salt or hash too short");
    }
    return new Parsed(new Params(m, t, p), salt, hash);
  }

  /** Per hashing thread: memory blocks kept between hashes (sized for the largest m seen). */
  private static final ThreadLocal<BlockPool> BLOCKS = new ThreadLocal<>();

  private record BlockPool(int blocks, Argon2BytesGenerator.FixedBlockPool pool) {}

  private static Argon2BytesGenerator.FixedBlockPool blocks(int memoryKiB) {
    BlockPool held = BLOCKS.get();
    if (held == null || held.blocks() < memoryKiB) {
      held = new BlockPool(memoryKiB, new Argon2BytesGenerator.FixedBlockPool(memoryKiB));
      BLOCKS.set(held);
    }
    return held.pool();
  }

  private static byte[] derive(String password, byte[] salt, Params p, int length, boolean pooled) {
    Argon2Parameters.Builder params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id);
    if (pooled) {
      params.withBlockPool(blocks(p.memoryKiB()));
    }
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(p.memoryKiB()).withIterations(p.iterations()).withParallelism(p.parallelism())
        .withSalt(salt).build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
