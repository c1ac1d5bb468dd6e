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

/**
 * The fallback backends when nginx cannot be installed: a minimal keep-alive HTTP/1.1 server on Netty
 * (one event loop), one port per backend, answering every request with the same small JSON body as the
 * nginx backends. Runs in its own JVM so that its CPU is measured apart from the client's.
 */
public final class EmbeddedBackend {
  private EmbeddedBackend() {}

  public static void main(String[] args) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    for (int i = 0; i < args.length; i++) {
      byte[] body = String.format(Backends.BODY, i + 1).getBytes(StandardCharsets.UTF_8);
      new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler(body));
            }
          })
          .bind("127.0.0.1", Integer.parseInt(args[i])).sync();
    }
    System.out.println("embedded backends listening on " + String.join(",", args));
    Thread.currentThread().join();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ByteBuf body;

    Handler(byte[] body) {
      this.body = Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          body.duplicate());
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }
}
