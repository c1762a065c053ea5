package com.presencehub.api.http;

import ch.qos.logback.classic.Level;
import com.presencehub.LogCapture;
import java.util.List;

/** Records what the node logs while open (see {@link LogCapture}). */
final class LogLines implements AutoCloseable {
  private final LogCapture capture = new LogCapture();

  /** Lines at INFO or above. */
  List<String> lines() {
    return capture.atLeast(Level.INFO).stream().map(LogCapture.Line::toString).toList();
  }

  /** No stack trace, no ERROR, no multi-line or long line at INFO or above. */
  void assertShortLines() {
    capture.assertShortLines();
  }

  @Override
  public void close() {
    capture.close();
  }
}
