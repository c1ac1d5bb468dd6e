package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OkHttpVersionTest {
  private static final String FIX = "fix: import com.squareup.okhttp3:okhttp-bom:5.5.1 (type pom, scope import) first "
      + "in <dependencyManagement>, or declare com.squareup.okhttp3:okhttp-jvm:5.5.1 before the dependency that "
      + "brings the old one; see the README, 'OkHttp versions'";

  @Test
  void theOkHttpOfThisBuildIsFive() {
    assertThat(OkHttpVersion.find(getClass().getClassLoader())).startsWith("5.");
    OkHttpVersion.requireFive(getClass().getClassLoader());
  }

  @Test
  void aClasspathWithoutOkHttpIsRefusedNamingTheFix() throws Exception {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> OkHttpVersion.requireFive(empty))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mesh-client needs OkHttp 5.x, but the classpath has no OkHttp (okhttp3.OkHttpClient is "
              + "missing); " + FIX);
    }
  }

  @Test
  void anOlderOkHttpAheadOfOkHttpFiveIsRefusedThoughOkHttpFivesVersionClassIsThere(@TempDir Path dir)
      throws Exception {
    // Retrofit's okhttp 3.x first: its OkHttpClient wins, while okhttp3.OkHttp exists only in the 5.x jar.
    Path old = dir.resolve("okhttp-3.14.9.jar");
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(old))) {
      jar.putNextEntry(new JarEntry("okhttp3/OkHttpClient.class"));
      jar.closeEntry();
    }
    URL five = okhttp3.OkHttp.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader mixed = new URLClassLoader(new URL[] {old.toUri().toURL(), five}, null)) {
      assertThatThrownBy(() -> OkHttpVersion.requireFive(mixed))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mesh-client needs OkHttp 5.x, but the classpath has OkHttp of unknown version "
              + "(okhttp3.OkHttpClient from okhttp-3.14.9.jar); " + FIX);
    }
  }
}
