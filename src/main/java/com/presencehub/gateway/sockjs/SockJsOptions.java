package com.presencehub.gateway.sockjs;

/**
 * How a {@link SockJsServer} serves one prefix.
 *
 * @param prefix the endpoint, such as {@code /presence} (no trailing slash)
 * @param heartbeatMs interval of the {@code h} frame on a receiving transport, ms
 * @param sessionTimeoutMs how long an HTTP session lives without a receiving request (SockJS's
 *     disconnect delay), and how long a closed one keeps answering with its close frame, ms
 * @param webSocket whether the WebSocket transports are offered ({@code /info} says so)
 * @param cookieNeeded whether {@code JSESSIONID} is set on the HTTP transports (sticky load balancers)
 * @param maxBodyBytes the largest send body or WebSocket message accepted (413 beyond)
 * @param responseLimitBytes the bytes a streaming response carries before it is ended so the
 *     client opens a new one (sockjs-node: 128 KiB)
 * @param clientUrl where the iframe page loads sockjs-client from (iframe-based transports only)
 */
public record SockJsOptions(String prefix, long heartbeatMs, long sessionTimeoutMs, boolean webSocket,
    boolean cookieNeeded, int maxBodyBytes, int responseLimitBytes, String clientUrl) {

  public static final int DEFAULT_RESPONSE_LIMIT = 128 * 1024;
  /**
   * The sockjs-client the node itself serves (the webjar in hub/pom.xml, mounted by
   * {@code PortalRoutes}): the iframe page must not depend on a CDN the portal may not reach.
   * {@code SockJsEndpointTest#iframePageLoadsAServedClient} fails if the version here and the
   * webjar's part ways.
   */
  public static final String DEFAULT_CLIENT_URL = "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js";

  public SockJsOptions {
    if (prefix.endsWith("/") || !prefix.startsWith("/")) {
      throw new IllegalArgumentException("prefix must start and not end with '/': " + prefix);
    }
  }
}
