package com.presencehub.api.http;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request written byte for byte on a plain socket (what the JDK's client refuses to
 * send: bad percent-escapes, control characters in headers, oversized lines), read until the
 * server closes ({@code Connection: close}).
 */
final class RawHttp {

  record Reply(int status, String head, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String contentType() {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
          return line.substring(13).trim();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private RawHttp() {
  }

  /** {@code GET target} with the token and extra header lines ({@code "Name: value"}). */
  static Reply get(int port, String target, String token, String... headers) {
    return send(port, "GET", target, token, null, null, headers);
  }

  static Reply send(int port, String method, String target, String token, String contentType, byte[] body,
      String... headers) {
    StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
    if (token != null) {
      req.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (contentType != null) {
      req.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      req.append("Content-Length: ").append(body.length).append("\r\n");
    }
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    req.append("\r\n");
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      // Bounded: the server closes (Connection: close) or the read times out.
      while ((n = in.read(buf)) >= 0) {
        all.write(buf, 0, n);
        if (all.size() > 4 * 1024 * 1024) {
          break;
        }
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      String rest = end < 0 ? "" : text.substring(end + 4);
      if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
        rest = dechunk(rest);
      }
      int status = Integer.parseInt(head.split(" ", 3)[1]);
      return new Reply(status, head, rest);
    } catch (IOException e) {
      throw new AssertionError(method + " " + target.substring(0, Math.min(80, target.length())) + ": " + e, e);
    }
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int nl = s.indexOf("\r\n", i);
      if (nl < 0) {
        break;
      }
      int size = Integer.parseInt(s.substring(i, nl).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(s, nl + 2, nl + 2 + size);
      i = nl + 2 + size + 2;
    }
    return out.toString();
  }
}
