package io.meshclient.core.internal;

import io.meshclient.api.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one size limit of every configuration file the mesh reads: mesh.yaml (loaded or watched) and the Istio
 * files. A file is read up to {@link #MAX_BYTES} and one byte more, never whole: read whole, a file past 2 GB
 * fails with an {@link OutOfMemoryError}. The YAML parser is allowed as many code points as the limit has
 * bytes (UTF-8 has at least one byte per code point), so a file under the limit is never refused by
 * SnakeYAML's own 3 M code-point default, in SnakeYAML's words.
 */
public final class ConfigFiles {
  /** 4 MB: a configuration holds a few thousand values at most. */
  public static final int MAX_BYTES = 4 << 20;

  private ConfigFiles() {}

  /**
   * The content of {@code file}.
   *
   * @throws ConfigurationException naming the file if it holds more than {@link #MAX_BYTES}
   * @throws IOException if it cannot be read
   */
  public static byte[] read(Path file) throws IOException {
    byte[] content = readAtMost(file, MAX_BYTES);
    if (content == null) {
      throw ConfigurationException.of(file.toString(), "more than 4 MB", "a file of at most 4 MB");
    }
    return content;
  }

  /**
   * The content of {@code file}, or null if it holds more than {@code maxBytes}, which are then not all read
   * (a file the size of its content is not needed: {@code /dev/zero} or a growing file end the read too).
   */
  public static byte[] readAtMost(Path file, int maxBytes) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes(maxBytes + 1);
      return content.length > maxBytes ? null : content;
    }
  }

  /** SnakeYAML's options for a configuration file: its code-point limit is {@link #MAX_BYTES}. */
  public static LoaderOptions yamlOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_BYTES);
    return options;
  }
}
