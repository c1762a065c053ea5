package com.presencehub.gateway.sockjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.gateway.sockjs.SockJsFrames.Format;
import com.presencehub.gateway.sockjs.SockJsPaths.Kind;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SockJS wire rules as plain functions (sockjs-protocol 0.3.3; sockjs-node as the reference). */
class SockJsFramesTest {

  @Test
  @DisplayName("frames: a[...] quotes with SockJS's extra escapes (lower-case \\u), c[code,\"reason\"]")
  void frames() {
    assertEquals("a[\"a\",\"b\\\"c\"]", SockJsFrames.messages(List.of("a", "b\"c")));
    assertEquals("a[\"  \\u0000\\n\\r \"]", SockJsFrames.messages(List.of("  \u0000\n\r ")));
    assertEquals("\"\\u200c\\u2028\\u2060\\ufff0\\ud83d\\ude00é\"", SockJsFrames.quote("\u200c\u2028\u2060\ufff0\ud83d\ude00é"));
    assertEquals("c[4401,\"no auth in time\"]", SockJsFrames.close(4401, "no auth in time"));
    assertEquals("c[2010,\"Another connection still open\"]", SockJsFrames.ANOTHER_CONNECTION);
  }

  @Test
  @DisplayName("each HTTP transport wraps a frame its own way")
  void wrapping() {
    assertEquals("o\n", SockJsFrames.wrap(Format.XHR, "o", null));
    assertEquals("data: a[\"x\"]\r\n\r\n", SockJsFrames.wrap(Format.EVENTSOURCE, "a[\"x\"]", null));
    assertEquals("/**/cb(\"a[\\\"x\\\"]\");\r\n", SockJsFrames.wrap(Format.JSONP, "a[\"x\"]", "cb"));
    assertEquals("<script>\np(\"o\");\n</script>\r\n", SockJsFrames.wrap(Format.HTMLFILE, "o", "cb"));
    assertEquals(2049, SockJsFrames.prelude(Format.XHR_STREAMING, null).length());
    assertTrue(SockJsFrames.prelude(Format.HTMLFILE, "cb").length() > 1024);
    assertTrue(SockJsFrames.prelude(Format.HTMLFILE, "cb").contains("var c = parent.cb;"));
  }

  @Test
  @DisplayName("jsonp/htmlfile callbacks: required, only [a-zA-Z0-9-_.]")
  void callbacks() {
    assertNull(SockJsFrames.callbackProblem("jQuery_1.2-3"));
    assertEquals("\"callback\" parameter required", SockJsFrames.callbackProblem(""));
    assertEquals("\"callback\" parameter required", SockJsFrames.callbackProblem(null));
    for (String bad : List.of(" ", "*", "abc(", "a/b")) {
      assertEquals("invalid \"callback\" parameter", SockJsFrames.callbackProblem(bad), bad);
    }
  }

  @Test
  @DisplayName("send bodies: an array of strings or one string; broken JSON and non-string elements refused")
  void bodies() {
    assertEquals(List.of("a", "b"), SockJsBodies.parse("[\"a\",\"b\"]"));
    assertEquals(List.of("x"), SockJsBodies.parse("\"x\""));
    assertEquals(List.of(), SockJsBodies.parse("[]"));
    assertThrows(IllegalArgumentException.class, () -> SockJsBodies.parse("[\"a"));
    assertThrows(IllegalArgumentException.class, () -> SockJsBodies.parse("[\"a\",null]"));
    assertThrows(IllegalArgumentException.class, () -> SockJsBodies.parse("{}"));
    assertTrue(SockJsBodies.problem("[\"a\",null]").startsWith("element 1 of the SockJS send body is null"));
    assertNull(SockJsBodies.problem("[\"a"));
  }

  @Test
  @DisplayName("paths: greeting with and without slash, info, iframe, raw WebSocket, sessions without dots; the rest 404")
  void paths() {
    assertEquals(Kind.GREETING, SockJsPaths.parse("/p", "/p").kind());
    assertEquals(Kind.GREETING, SockJsPaths.parse("/p", "/p/").kind());
    assertEquals(Kind.INFO, SockJsPaths.parse("/p", "/p/info").kind());
    assertEquals(Kind.IFRAME, SockJsPaths.parse("/p", "/p/iframe-0.1.2abc-dirty.2144.html").kind());
    assertEquals(Kind.RAW_WEBSOCKET, SockJsPaths.parse("/p", "/p/websocket").kind());
    SockJsPaths.Route r = SockJsPaths.parse("/p", "/p/000/abc/xhr_streaming");
    assertEquals(Kind.SESSION, r.kind());
    assertEquals("abc", r.session());
    assertEquals("xhr_streaming", r.transport());
    for (String bad : List.of("/p/a./a/xhr", "/p/a/a./xhr", "/p//xhr", "/p/a/a/nope", "/p/iframe-/.html", "/p/IFRAME.HTML",
        "/pp", "/p/a")) {
      assertEquals(Kind.NOT_FOUND, SockJsPaths.parse("/p", bad).kind(), bad);
    }
    assertTrue(SockJsPaths.under("/p", "/p"));
    assertTrue(!SockJsPaths.under("/p", "/presence-client.js"));
  }
}
