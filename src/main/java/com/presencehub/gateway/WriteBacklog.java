package com.presencehub.gateway;

/**
 * How much a session has handed to its socket that the socket has not yet written to the network
 * (PROTOCOL.md §4 limits: memory per session is bounded whatever the client does). Plain Java, one
 * instance per session, used on the session's loop; sizes in characters of the frames written.
 *
 * <p>Why count here rather than ask the socket: counting a frame from the write until its write
 * future completes (the bytes reached the kernel, a poll took it, or the session closed) measures
 * the same thing on every SockJS transport (vertx-web 5.0's own queue never reported full on the
 * WebSocket and streaming transports: the issue-11 heap exhaustion).
 *
 * <p>Full at {@code maxChars} queued; after that it reports drained once the queue is back to half,
 * as Vert.x write streams do, so a client on the edge does not flip between the two per frame.
 */
final class WriteBacklog {

  private final int maxChars;
  private long queuedChars;
  private boolean full;
  private long fullSinceMs = -1;

  WriteBacklog(int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive, got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  /** A frame of {@code chars} was handed to the socket. @return true if the backlog just became full */
  boolean queued(int chars, long nowMs) {
    queuedChars += chars;
    if (!full && queuedChars >= maxChars) {
      full = true;
      fullSinceMs = nowMs;
      return true;
    }
    return false;
  }

  /** A frame of {@code chars} left the socket (written or dropped). @return true if the backlog just drained */
  boolean written(int chars) {
    queuedChars = Math.max(0, queuedChars - chars);
    if (full && queuedChars <= maxChars / 2) {
      full = false;
      fullSinceMs = -1;
      return true;
    }
    return false;
  }

  boolean full() {
    return full;
  }

  /** Since when the backlog has been full, or -1 when it is not. */
  long fullSinceMs() {
    return fullSinceMs;
  }

  long queuedChars() {
    return queuedChars;
  }

  int maxChars() {
    return maxChars;
  }
}
