package io.meshclient.core.internal;

import java.util.Collection;

/** Suggests the known name closest to a mistyped one, for "did you mean 'reviews'?" in error messages. */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * {@code " (did you mean 'x'?)"} for the name of {@code known} closest to {@code name} (at most two
   * edits, ignoring case and separators), or the empty string if none is that close.
   */
  public static String suggestion(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String wanted = normalized(name);
    for (String candidate : known) {
      int distance = distance(wanted, normalized(candidate));
      if (distance < bestDistance || distance == bestDistance && best != null && candidate.compareTo(best) < 0) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= 2 && bestDistance < Math.max(1, wanted.length())
        ? " (did you mean '" + best + "'?)" : "";
  }

  private static String normalized(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[\\s_-]", "");
  }

  /** Levenshtein distance, with a transposition of two neighbours counted as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
