package io.meshclient.core.istio;

import io.meshclient.core.LoopbackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What the Istio tests on loopback servers share: servers closed after each test, and one Istio YAML file. */
abstract class LoopbackIstioTest {
  @TempDir
  Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeServers() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /** A server on 127.0.0.1 answering {@code name}, closed after the test. */
  LoopbackServer server(String name) throws IOException {
    return closeAfterTest(new LoopbackServer(name));
  }

  /** {@code closeable}, closed after the test, in the order registered. */
  <T extends AutoCloseable> T closeAfterTest(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** A file holding {@code yaml}, for {@code Mesh.Builder#istioConfig}. */
  Path file(String yaml) throws IOException {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
