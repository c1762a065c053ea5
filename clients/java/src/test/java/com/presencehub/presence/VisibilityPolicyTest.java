package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** §4: a tech sees everyone of its tenant, a client sees techs only. */
@DisplayName("Visibility")
class VisibilityPolicyTest {

  @ParameterizedTest(name = "{0} sees {1}: {2}")
  @DisplayName("lets a tech see anyone and a client see techs and not-yet-known users only")
  @CsvSource(nullValues = "NONE", value = {
      // viewer, target, visible
      "TECH,   TECH,   true",
      "TECH,   CLIENT, true",
      "TECH,   NONE,   true",
      "CLIENT, TECH,   true",
      "CLIENT, CLIENT, false",
      "CLIENT, NONE,   true",
  })
  void canSee(Role viewer, Role target, boolean expected) {
    assertEquals(expected, VisibilityPolicy.canSee(viewer, target));
  }

  @ParameterizedTest(name = "{0} watches the {1} roster: {2}")
  @DisplayName("lets a tech watch both rosters and a client the tech roster only")
  @CsvSource({
      "TECH,   TECH,   true",
      "TECH,   CLIENT, true",
      "CLIENT, TECH,   true",
      "CLIENT, CLIENT, false",
  })
  void canWatchRoster(Role viewer, Role roster, boolean expected) {
    assertEquals(expected, VisibilityPolicy.canWatchRoster(viewer, roster));
  }
}
