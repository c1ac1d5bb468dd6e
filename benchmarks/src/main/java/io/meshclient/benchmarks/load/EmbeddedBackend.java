package io.meshclient.benchmarks.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fallback backends when nginx cannot be installed, and the backends of {@code run.sh tail}: a minimal
 * keep-alive HTTP/1.1 server on Netty (one event loop), one port per backend, answering every request with
 * the same small JSON body as the nginx backends. Runs in its own JVM so that its CPU is measured apart
 * from the client's.
 *
 * <p>Each argument is {@code port[:delayMicros[:failPercent[:seed]]]}. With a delay, the answer is sent
 * that long after the request arrived, from a timer thread (the event loop never sleeps, so calls in
 * flight do not queue behind each other: a slow instance, not an overloaded one). With {@code
 * failPercent}, that share of the calls, drawn from a random sequence seeded with {@code seed}, is
 * answered {@code 503} after the same delay, as an instance that did the work and then failed. {@value
 * #COUNT_PATH} answers how many requests the port has served, for the share each instance got.
 */
public final class EmbeddedBackend {
  /** Answers the number of other requests this port has served (not counting these). */
  static final String COUNT_PATH = "/__count";

  private EmbeddedBackend() {}

  public static void main(String[] args) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "backend-delay");
      t.setDaemon(true);
      return t;
    });
    List<String> ports = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String[] spec = args[i].split(":");
      int port = Integer.parseInt(spec[0]);
      long delayMicros = spec.length > 1 ? Long.parseLong(spec[1]) : 0;
      int failPercent = spec.length > 2 ? Integer.parseInt(spec[2]) : 0;
      long seed = spec.length > 3 ? Long.parseLong(spec[3]) : i;
      Behaviour behaviour = new Behaviour(delayMicros, failPercent, new SplittableRandom(seed), timer,
          new AtomicLong());
      ports.add(spec[0]);
      byte[] body = String.format(Backends.BODY, i + 1).getBytes(StandardCharsets.UTF_8);
      new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                  new Handler(body, behaviour));
            }
          })
          .bind("127.0.0.1", port).sync();
    }
    System.out.println("embedded backends listening on " + String.join(",", ports) + " (" + String.join(" ", args) + ")");
    Thread.currentThread().join();
  }

  /** How one backend answers: after a delay, and with a seeded share of 503s. */
  private record Behaviour(long delayMicros, int failPercent, SplittableRandom random,
      ScheduledExecutorService timer, AtomicLong requests) {
    boolean fails() {
      if (failPercent == 0) {
        return false;
      }
      synchronized (random) {
        return random.nextInt(100) < failPercent;
      }
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ByteBuf body;
    private final Behaviour behaviour;

    Handler(byte[] body, Behaviour behaviour) {
      this.body = Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body));
      this.behaviour = behaviour;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (request.uri().equals(COUNT_PATH)) {
        byte[] count = Long.toString(behaviour.requests.get()).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(count));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, count.length);
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        return;
      }
      behaviour.requests.incrementAndGet();
      boolean fail = behaviour.fails();
      if (behaviour.delayMicros == 0) {
        answer(ctx, keepAlive, fail);
      } else {
        behaviour.timer.schedule(() -> answer(ctx, keepAlive, fail), behaviour.delayMicros, TimeUnit.MICROSECONDS);
      }
    }

    private void answer(ChannelHandlerContext ctx, boolean keepAlive, boolean fail) {
      FullHttpResponse response = fail
          ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER)
          : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate());
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }
}
