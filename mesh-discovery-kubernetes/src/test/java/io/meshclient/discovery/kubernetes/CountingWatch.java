package io.meshclient.discovery.kubernetes;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CRUD mock's listener of one watch's WebSocket, counting the events it has finished writing, so that a
 * test can wait for them before closing the watch.
 *
 * <p>Why: fabric8's mock (8.0.0) writes a watch's events from its listener's own executor and waits up to 30 s
 * for each write ({@code VertxMockWebSocket.send}), a write only the server's single Vert.x event loop performs;
 * when the client closes the watch, the event loop runs {@code WatchEventsListener.onClosed}, which waits up to
 * a minute for that executor to end. A close that arrives while an event is being written (a watch opened on
 * existing objects is sent an ADDED event for each, at once) blocks both for 30 s: the server's {@code
 * destroy()} gives up after 10 s and leaves its Vert.x threads running. Seen in thread dumps of
 * ShutdownTest's scenario (event loop in {@code WatchEventsListener.onClosed} / {@code awaitTermination},
 * executor in {@code VertxMockWebSocket.awaitWrite}), about one close in ten.
 */
final class CountingWatch extends WebSocketListener {
  private final WebSocketListener events;
  private final AtomicInteger sent;

  CountingWatch(WebSocketListener events, AtomicInteger sent) {
    this.events = events;
    this.sent = sent;
  }

  @Override
  public void onBeforeAccept(WebSocket ws, Response response) {
    events.onBeforeAccept(ws, response);
  }

  @Override
  public void onOpen(WebSocket ws, Response response) {
    events.onOpen(new WebSocket() { // the mock writes its events through the WebSocket it is given here
      @Override
      public RecordedRequest request() {
        return ws.request();
      }

      @Override
      public boolean send(String text) {
        return counted(ws.send(text));
      }

      @Override
      public boolean send(byte[] bytes) {
        return counted(ws.send(bytes));
      }

      @Override
      public boolean send(ByteString bytes) {
        return counted(ws.send(bytes));
      }

      @Override
      public boolean close(int code, String reason) {
        return ws.close(code, reason);
      }
    }, response);
  }

  private boolean counted(boolean written) {
    sent.incrementAndGet();
    return written;
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    events.onMessage(ws, text);
  }

  @Override
  public void onMessage(WebSocket ws, ByteString bytes) {
    events.onMessage(ws, bytes);
  }

  @Override
  public void onMessage(WebSocket ws, byte[] bytes) {
    events.onMessage(ws, bytes);
  }

  @Override
  public void onPing(WebSocket ws, byte[] bytes) {
    events.onPing(ws, bytes);
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    events.onClosing(ws, code, reason);
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    events.onClosed(ws, code, reason);
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, Response response) {
    events.onFailure(ws, t, response);
  }
}
