package com.presencehub.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdRuleTest {

  @Test
  @DisplayName("the id limit counts characters (code points), not UTF-16 units: 256 emoji are an id, 257 are not")
  void countsCodePoints() {
    String emoji = "\uD83D\uDE00";
    assertNull(FieldRules.idProblem(emoji.repeat(256)));
    assertEquals("is longer than 256 characters", FieldRules.idProblem(emoji.repeat(257)));
    assertNull(FieldRules.idProblem("x".repeat(256)));
    assertEquals("is longer than 256 characters", FieldRules.idProblem("x".repeat(257)));
  }

  @Test
  @DisplayName("control characters (NUL, newline, DEL, C1) are refused, naming the character and where it is")
  void refusesControlCharacters() {
    assertEquals("must not contain control characters (U+0000 at character 2)", FieldRules.idProblem("a\u0000b"));
    assertEquals("must not contain control characters (U+000A at character 4)", FieldRules.idProblem("bob\nadmin"));
    assertEquals("must not contain control characters (U+007F at character 1)", FieldRules.idProblem("\u007F"));
    assertEquals("must not contain control characters (U+0085 at character 1)", FieldRules.idProblem("\u0085"));
    assertNull(FieldRules.idProblem("Zoë Ünal-😀 tab-free"));
  }

  @Test
  @DisplayName("a lone surrogate is not valid Unicode")
  void loneSurrogate() {
    assertEquals("is not valid Unicode (lone surrogate)", FieldRules.idProblem("a\uD800"));
    assertEquals("is not valid Unicode (lone surrogate)", FieldRules.idProblem("\uDC00a"));
  }
}
