package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class OkHttpVersionTest {

  @Test
  void theOkHttpOfThisBuildIsFive() {
    assertThat(OkHttpVersion.find(getClass().getClassLoader())).startsWith("5.");
    OkHttpVersion.requireFive(getClass().getClassLoader());
  }

  @Test
  void aClasspathWithoutOkHttpFiveIsRefusedNamingWhatItFoundAndTheFix() throws Exception {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> OkHttpVersion.requireFive(empty))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mesh-client needs OkHttp 5.x, but the classpath has no okhttp3.OkHttp class (OkHttp 3.x or "
              + "none); fix: import com.squareup.okhttp3:okhttp-bom:5.5.1 (type pom, scope import) first in "
              + "<dependencyManagement>, or declare com.squareup.okhttp3:okhttp-jvm:5.5.1 before the dependency that "
              + "brings the old one; see the README, 'OkHttp versions'");
    }
  }
}
