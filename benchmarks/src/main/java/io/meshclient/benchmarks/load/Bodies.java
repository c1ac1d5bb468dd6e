package io.meshclient.benchmarks.load;

import java.io.IOException;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.Okio;
import okio.Sink;

/** Reads response bodies to the end without keeping them. */
final class Bodies {
  private static final Sink BLACKHOLE = Okio.blackhole();

  private Bodies() {}

  /** Reads the whole body of {@code response}, closes it and returns whether the status was 200. */
  static boolean drain(Response response) throws IOException {
    try (ResponseBody body = response.body()) {
      BufferedSource source = body.source();
      source.readAll(BLACKHOLE);
      return response.code() == 200;
    }
  }
}
