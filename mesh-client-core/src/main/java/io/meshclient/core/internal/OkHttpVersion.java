package io.meshclient.core.internal;

/**
 * Checks, when a mesh is built, that the OkHttp on the classpath is 5.x. An older one (Retrofit 2.11
 * brings {@code okhttp} 3.14.9, and Maven keeps the first version it meets) would otherwise fail at the
 * first call with a {@code NoSuchMethodError} deep inside OkHttp. Reads {@code okhttp3.OkHttp.VERSION},
 * which OkHttp 4 and 5 carry (3.x has no such class), without initialising anything else of OkHttp.
 */
public final class OkHttpVersion {
  /** What to do about it, in every message. */
  static final String FIX = "fix: import com.squareup.okhttp3:okhttp-bom:5.5.1 (type pom, scope import) first in "
      + "<dependencyManagement>, or declare com.squareup.okhttp3:okhttp-jvm:5.5.1 before the dependency that brings "
      + "the old one; see the README, 'OkHttp versions'";

  private OkHttpVersion() {}

  /**
   * @throws IllegalStateException naming the version found and the fix, unless OkHttp 5.x is on
   *     {@code loader}'s classpath
   */
  public static void requireFive(ClassLoader loader) {
    String found = find(loader);
    if (found == null || !found.startsWith("5.")) {
      throw new IllegalStateException("mesh-client needs OkHttp 5.x, but the classpath has "
          + (found == null ? "no okhttp3.OkHttp class (OkHttp 3.x or none)" : "OkHttp " + found) + "; " + FIX);
    }
  }

  /** The version string of the OkHttp {@code loader} sees, or null if it has no {@code okhttp3.OkHttp}. */
  static String find(ClassLoader loader) {
    try {
      Class<?> okHttp = Class.forName("okhttp3.OkHttp", false, loader);
      return String.valueOf(okHttp.getField("VERSION").get(null));
    } catch (ClassNotFoundException e) {
      return okHttp3Version(loader);
    } catch (ReflectiveOperationException | LinkageError e) {
      return "of unknown version (" + e + ")";
    }
  }

  /** OkHttp 3.x says its version in {@code okhttp3.internal.Version.userAgent()}: "okhttp/3.14.9". */
  private static String okHttp3Version(ClassLoader loader) {
    try {
      Object agent = Class.forName("okhttp3.internal.Version", false, loader).getMethod("userAgent").invoke(null);
      String text = String.valueOf(agent);
      return text.startsWith("okhttp/") ? text.substring("okhttp/".length()) : text;
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
