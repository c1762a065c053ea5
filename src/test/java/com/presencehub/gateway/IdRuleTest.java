package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdRuleTest {

  @Test
  @DisplayName("the id limit counts characters (code points), not UTF-16 units: 256 emoji are an id, 257 are not")
  void countsCodePoints() {
    String emoji = "\uD83D\uDE00";
    assertNull(IdRule.problem(emoji.repeat(256)));
    assertEquals("is longer than 256 characters", IdRule.problem(emoji.repeat(257)));
    assertNull(IdRule.problem("x".repeat(256)));
    assertEquals("is longer than 256 characters", IdRule.problem("x".repeat(257)));
  }

  @Test
  @DisplayName("control characters (NUL, newline, DEL, C1) are refused, naming the character and where it is")
  void refusesControlCharacters() {
    assertEquals("must not contain control characters (U+0000 at character 2)", IdRule.problem("a\u0000b"));
    assertEquals("must not contain control characters (U+000A at character 4)", IdRule.problem("bob\nadmin"));
    assertEquals("must not contain control characters (U+007F at character 1)", IdRule.problem("\u007F"));
    assertEquals("must not contain control characters (U+0085 at character 1)", IdRule.problem("\u0085"));
    assertNull(IdRule.problem("Zoë Ünal-😀 tab-free"));
  }

  @Test
  @DisplayName("a lone surrogate is not valid Unicode")
  void loneSurrogate() {
    assertEquals("is not valid Unicode (lone surrogate)", IdRule.problem("a\uD800"));
    assertEquals("is not valid Unicode (lone surrogate)", IdRule.problem("\uDC00a"));
  }
}
