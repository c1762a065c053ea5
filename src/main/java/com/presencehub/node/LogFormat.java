package com.presencehub.node;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Appender;
import java.util.Iterator;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The node's log line format, {@code logFormat} ({@code PRESENCE_LOG_FORMAT}): {@code text} (the
 * pattern of {@code logback.xml}) or {@code json} (one JSON object per line, Logback's {@link
 * JsonEncoder}: {@code timestamp} in epoch ms, {@code level}, {@code threadName}, {@code
 * loggerName}, {@code message}, {@code throwable} when there is one).
 *
 * <p>Applied once at start-up, before the node starts, on every console appender of the root
 * logger; does nothing when SLF4J is not bound to Logback (an embedding application brought its
 * own logging).
 */
public final class LogFormat {

  private LogFormat() {
  }

  /**
   * Routes java.util.logging (the few libraries that still use it) into SLF4J and switches the
   * console to {@code format}.
   *
   * @param format one of {@code HubConfig.LOG_FORMATS}, validated by HubConfig
   */
  public static void apply(String format) {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context) || !"json".equals(format)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        // The sequence number, nanoseconds, context and empty MDC/key-value lists are noise in a
        // log pipeline; level, logger, thread, message and throwable are what an operator reads.
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithMDC(false);
        json.setWithKVPList(false);
        json.setWithArguments(false);
        json.start();
        console.stop();
        console.setEncoder(json);
        console.start();
      }
    }
  }
}
