package io.meshclient.api;

/**
 * What routing and balancing may know about the request being sent: method, path, headers and
 * attributes set by the caller.
 *
 * <p>A context is a read-only view of one request, valid while the request is being routed. It must not
 * be kept after {@link LoadBalancer#pick} returns. Implementations avoid copying: reading a header scans
 * the request's own headers.
 */
public interface RequestContext {

  /** The HTTP method in upper case, such as {@code GET}. */
  String method();

  /** The encoded path, starting with {@code /}. */
  String path();

  /** The first value of the named header (case-insensitive), or null if absent. */
  String header(String name);

  /**
   * The port the caller addressed: the request URL's, {@code 80} or {@code 443} when it names none (a call to
   * {@code http://reviews/} is to port 80 of reviews, whichever port its instances listen on). The default does
   * not know it and returns -1, which no route's port condition matches.
   */
  default int port() {
    return -1;
  }

  /**
   * The first value of the named query parameter, decoded, or null if absent ({@code ""} for a parameter
   * without a value). The default knows no query and returns null.
   */
  default String queryParameter(String name) {
    return null;
  }

  /**
   * The value of the named cookie from the {@code Cookie} header, or null if absent.
   */
  default String cookie(String name) {
    String header = header("Cookie");
    if (header == null) {
      return null;
    }
    int from = 0;
    while (from < header.length()) {
      int end = header.indexOf(';', from);
      if (end < 0) {
        end = header.length();
      }
      int eq = header.indexOf('=', from);
      if (eq > 0 && eq < end) {
        int nameStart = from;
        while (nameStart < eq && header.charAt(nameStart) == ' ') {
          nameStart++;
        }
        if (header.regionMatches(nameStart, name, 0, name.length()) && eq - nameStart == name.length()) {
          return header.substring(eq + 1, end).trim();
        }
      }
      from = end + 1;
    }
    return null;
  }

  /**
   * An attribute the caller attached to the request, or null. With OkHttp, attributes are request tags:
   * {@code request.newBuilder().tag(MyKey.class, value)} is read by {@code attribute(MyKey.class)}.
   */
  <T> T attribute(Class<T> key);
}
