package io.meshclient.core.internal;

import java.net.URL;

/**
 * Checks, when a mesh is built, that the OkHttp on the classpath is 5.x. An older one (Retrofit 2.11
 * brings {@code okhttp} 3.14.9, and Maven keeps the first version it meets) would otherwise fail at the
 * first call with a {@code NoSuchMethodError} deep inside OkHttp. Reads {@code okhttp3.OkHttp.VERSION},
 * which OkHttp 4 and 5 carry (3.x has no such class), from the jar {@code OkHttpClient} is loaded from,
 * without initialising anything else of OkHttp.
 */
public final class OkHttpVersion {
  /** What to do about it, in every message. */
  static final String FIX = "fix: import com.squareup.okhttp3:okhttp-bom:5.5.1 (type pom, scope import) first in "
      + "<dependencyManagement>, or declare com.squareup.okhttp3:okhttp-jvm:5.5.1 before the dependency that brings "
      + "the old one; see the README, 'OkHttp versions'";

  private OkHttpVersion() {}

  /**
   * @throws IllegalStateException naming the version found and the fix, unless the OkHttp classes
   *     {@code loader} loads are 5.x
   */
  public static void requireFive(ClassLoader loader) {
    String found = find(loader);
    if (found == null || !found.startsWith("5.")) {
      throw new IllegalStateException("mesh-client needs OkHttp 5.x, but the classpath has "
          + (found == null ? "no OkHttp (okhttp3.OkHttpClient is missing)" : "OkHttp " + found) + "; " + FIX);
    }
  }

  /**
   * The version of the OkHttp whose {@code OkHttpClient} {@code loader} loads, or null without one. With
   * Retrofit's okhttp 3.14.9 before okhttp-jvm 5 on the classpath, {@code okhttp3.OkHttp} (absent from 3.x)
   * comes from the 5.x jar while {@code OkHttpClient} comes from the 3.x jar: so the version is read only
   * when both classes come from the same jar.
   */
  static String find(ClassLoader loader) {
    URL client = loader.getResource("okhttp3/OkHttpClient.class");
    if (client == null) {
      return null;
    }
    URL marker = loader.getResource("okhttp3/OkHttp.class");
    if (marker == null || !jar(marker).equals(jar(client))) {
      String old = okHttp3Version(loader);
      return (old != null ? old : "of unknown version") + " (okhttp3.OkHttpClient from " + fileName(client) + ")";
    }
    try {
      return String.valueOf(Class.forName("okhttp3.OkHttp", false, loader).getField("VERSION").get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return "of unknown version (" + e + ")";
    }
  }

  /** The jar (or directory) a class file was found in: the URL up to {@code !/}. */
  private static String jar(URL classFile) {
    String url = classFile.toString();
    int separator = url.indexOf("!/");
    return separator < 0 ? url.substring(0, url.lastIndexOf("okhttp3/")) : url.substring(0, separator);
  }

  private static String fileName(URL classFile) {
    String jar = jar(classFile);
    String trimmed = jar.endsWith("/") ? jar.substring(0, jar.length() - 1) : jar;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
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
