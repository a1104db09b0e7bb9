package io.roster.domain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The 100,000 most common passwords (API.md 12.7; distinct ignoring case), shipped in the jar as
 * passwords/common-passwords.txt.gz (its source and licence: passwords/NOTICE and the README).
 * Matching ignores case. Held as a sorted array of 64-bit FNV-1a hashes of the lower-cased
 * entries (800 KB, not the 6 MB of the strings); a false match needs a 64-bit collision.
 */
public final class CommonPasswords {
  private static final String RESOURCE = "/passwords/common-passwords.txt.gz";

  private CommonPasswords() {}

  private static final class Loaded {
    static final long[] HASHES = load();
  }

  public static boolean contains(String password) {
    return password != null && Arrays.binarySearch(Loaded.HASHES, hash(password)) >= 0;
  }

  /** How many distinct entries (ignoring case) the list holds. */
  public static int size() {
    return Loaded.HASHES.length;
  }

  /** Loads the list now rather than at the first check (start-up calls this off the event loop). */
  public static void preload() {
    size();
  }

  private static long[] load() {
    try (InputStream raw = CommonPasswords.class.getResourceAsStream(RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      long[] hashes = new long[128 * 1024];
      int n = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        if (n == hashes.length) {
          hashes = Arrays.copyOf(hashes, n * 2);
        }
        hashes[n++] = hash(line);
      }
      long[] sorted = Arrays.copyOf(hashes, n);
      Arrays.sort(sorted);
      int distinct = 0;
      for (int i = 0; i < sorted.length; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
          sorted[distinct++] = sorted[i];
        }
      }
      return Arrays.copyOf(sorted, distinct);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long hash(String password) {
    long h = 0xcbf29ce484222325L;
    for (byte b : password.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
