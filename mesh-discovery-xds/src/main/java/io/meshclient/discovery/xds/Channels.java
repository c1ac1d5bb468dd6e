package io.meshclient.discovery.xds;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.meshclient.core.internal.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Opens the gRPC channel to the xDS server the bootstrap names. */
final class Channels {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private Channels() {}

  /**
   * The channel, with HTTP/2 keepalive pings (as gRPC's own xDS client, which pings after 5 minutes): without
   * them a connection that died without a reset leaves the ADS stream open and silent for ever, and the mesh
   * never hears of a change again.
   */
  static ManagedChannel open(Bootstrap bootstrap, XdsSettings.Keepalive keepalive) {
    ChannelCredentials creds;
    Bootstrap.Channel c = bootstrap.channel();
    if (!c.tls()) {
      creds = InsecureChannelCredentials.create();
    } else {
      try {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (c.caFile() != null) {
          tls.trustManager(c.caFile().toFile());
        }
        if (c.certFile() != null) {
          tls.keyManager(c.certFile().toFile(), c.keyFile().toFile());
        }
        creds = tls.build();
      } catch (IOException e) {
        throw io.meshclient.api.ConfigurationException.of("xds_servers[0].channel_creds.tls.config",
            c.caFile() + ", " + c.certFile(), "readable PEM files (" + e.getClass().getSimpleName() + ")");
      }
    }
    if (bootstrap.tokenFile() != null) {
      creds = CompositeChannelCredentials.create(creds, new TokenFile(bootstrap.tokenFile()));
    }
    return Grpc.newChannelBuilder(bootstrap.serverUri(), creds)
        .keepAliveTime(keepalive.time().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepalive.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  /** Sends the token in a file as a bearer token, read for each stream so a rotated token is used. Never logs it. */
  private static final class TokenFile extends CallCredentials {
    /** A JWT is a few KB; Kubernetes' projected service-account tokens are under 2 KB. */
    private static final int MAX_TOKEN_BYTES = 64 * 1024;
    private final Path file;

    TokenFile(Path file) {
      this.file = file;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      executor.execute(() -> {
        try {
          byte[] token = ConfigFiles.readAtMost(file, MAX_TOKEN_BYTES); // never whole: /dev/zero has size 0
          if (token == null) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("the xDS token file " + file + " holds more than "
                + MAX_TOKEN_BYTES / 1024 + " KB (expected: one bearer token)"));
            return;
          }
          Metadata headers = new Metadata();
          headers.put(AUTHORIZATION, "Bearer " + new String(token, StandardCharsets.UTF_8).trim());
          applier.apply(headers);
        } catch (IOException | RuntimeException e) {
          applier.fail(Status.UNAUTHENTICATED.withDescription("cannot read the xDS token file " + file + " ("
              + e.getClass().getSimpleName() + ")"));
        }
      });
    }
  }
}
