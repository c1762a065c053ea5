package com.presencehub;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records what the node logs while open: an appender on Logback's root logger (the hub, Vert.x,
 * Netty and Hazelcast all log through SLF4J to Logback).
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  /** One logged event: its level, formatted message and, when one was logged, the throwable's text. */
  public record Line(Level level, String logger, String message, String thrown) {

    public boolean atLeast(Level l) {
      return level.isGreaterOrEqual(l);
    }

    @Override
    public String toString() {
      return level + " " + logger + " " + message + (thrown == null ? "" : " " + thrown);
    }
  }

  private final List<Line> lines = new ArrayList<>();
  private final Logger root;

  public LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    setName("test-capture-" + System.identityHashCode(this));
    start();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(this);
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    IThrowableProxy t = e.getThrowableProxy();
    lines.add(new Line(e.getLevel(), e.getLoggerName(), e.getFormattedMessage(),
        t == null ? null : t.getClassName() + ": " + t.getMessage()));
  }

  /** Every line so far. */
  public synchronized List<Line> records() {
    return new ArrayList<>(lines);
  }

  /** Lines at {@code level} or above. */
  public synchronized List<Line> atLeast(Level level) {
    return lines.stream().filter(l -> l.atLeast(level)).toList();
  }

  /** How many lines at WARN or above. */
  public synchronized long linesAtWarning() {
    return lines.stream().filter(l -> l.atLeast(Level.WARN)).count();
  }

  /** No stack trace, no multi-line or long line at INFO or above. */
  public synchronized void assertNoStackTraces() {
    for (Line l : lines) {
      if (l.atLeast(Level.INFO)) {
        assertNull(l.thrown(), "a stack trace at " + l);
        assertTrue(l.message().length() < 300 && !l.message().contains("\n"), "a long line at " + l);
      }
    }
  }

  /** As {@link #assertNoStackTraces()}, and nothing at ERROR. */
  public synchronized void assertShortLines() {
    assertNoStackTraces();
    for (Line l : lines) {
      assertTrue(!l.atLeast(Level.ERROR), "ERROR: " + l);
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
