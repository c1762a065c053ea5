package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what the node logs (Vert.x logs through java.util.logging in tests) while open. */
final class LogLines extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new ArrayList<>();
  private final Logger root = Logger.getLogger("");

  LogLines() {
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord r) {
    records.add(r);
  }

  /** Lines at INFO or above. */
  synchronized List<String> lines() {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getLevel().intValue() >= Level.INFO.intValue()) {
        out.add(r.getLevel() + " " + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
      }
    }
    return out;
  }

  /** No stack trace, no SEVERE, no multi-line or long line at INFO or above. */
  synchronized void assertShortLines() {
    for (LogRecord r : records) {
      if (r.getLevel().intValue() >= Level.INFO.intValue()) {
        assertNull(r.getThrown(), "a stack trace at " + r.getLevel() + ": " + r.getMessage() + " " + r.getThrown());
        assertTrue(r.getLevel().intValue() < Level.SEVERE.intValue(), "SEVERE: " + r.getMessage());
        String msg = String.valueOf(r.getMessage());
        assertTrue(msg.length() < 300 && !msg.contains("\n"), "a long line at " + r.getLevel() + ": " + msg);
      }
    }
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
