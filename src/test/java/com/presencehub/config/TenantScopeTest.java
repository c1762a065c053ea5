package com.presencehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cells: the {@code tenants} allow-list (docs/cells.md). Pure: no Vert.x. */
@DisplayName("The tenants allow-list of a cell")
class TenantScopeTest {

  private static final String SECRET = "test-secret-0123456789abcdef0123456789";

  @Test
  @DisplayName("An empty list serves every tenant, as a hub without cells always did")
  void emptyServesAll() {
    TenantScope all = new TenantScope(List.of(), "presence-hub");
    assertTrue(all.servesAll());
    assertTrue(all.serves("acme"));
    assertNull(all.refusal("anyone"));
  }

  @Test
  @DisplayName("A list serves its tenants only; the refusal names the tenant and the cell")
  void listServesItsTenants() {
    TenantScope cellA = new TenantScope(List.of("acme", "initech"), "cell-a");
    assertTrue(cellA.serves("acme"));
    assertTrue(cellA.serves("initech"));
    assertFalse(cellA.serves("globex"));
    assertFalse(cellA.serves("ACME"), "tenant ids are exact, like every id of the contract");
    assertNull(cellA.refusal("acme"));
    String why = cellA.refusal("globex");
    assertNotNull(why);
    assertTrue(why.contains("'globex'") && why.contains("'cell-a'"), why);
  }

  @Test
  @DisplayName("A tenant that is not a string is left to the request's own validation (400 naming the field)")
  void nonStringTenantIsNotThisChecksBusiness() {
    TenantScope cellA = new TenantScope(List.of("acme"), "cell-a");
    assertNull(cellA.refusal(null));
    assertNull(cellA.refusal(42));
  }

  @Test
  @DisplayName("Bad lists are named: empty entry, duplicate, a space or comma, too long")
  void badLists() {
    assertNull(TenantScope.problem(List.of("acme", "globex")));
    assertTrue(TenantScope.problem(List.of("acme", "acme")).contains("twice"));
    assertTrue(TenantScope.problem(List.of("")).contains("empty"));
    assertTrue(TenantScope.problem(List.of("a b")).contains("space"));
    assertTrue(TenantScope.problem(List.of("x".repeat(257))).contains("256"));
  }

  @Test
  @DisplayName("HubConfig: default empty, PRESENCE_TENANTS comma-separated, a JSON list in the file, errors name the key")
  void configKey() {
    JsonObject file = new JsonObject().put("jwtSecret", SECRET);
    assertEquals(List.of(), HubConfig.fromJson(file).tenants());
    assertTrue(HubConfig.fromJson(file).tenantScope().servesAll());

    HubConfig fromEnv = HubConfig.fromLayers(file.copy().put("clusterName", "cell-b"),
        Map.of("PRESENCE_TENANTS", "globex, umbrella"), Map.of());
    assertEquals(List.of("globex", "umbrella"), fromEnv.tenants());
    assertEquals("PRESENCE_TENANTS", HubConfig.envName("tenants"));
    assertTrue(fromEnv.tenantScope().refusal("acme").contains("'cell-b'"));

    HubConfig fromFile = HubConfig.fromJson(file.copy().put("tenants", new JsonArray().add("acme")));
    assertEquals(List.of("acme"), fromFile.tenants());

    ConfigException dup = assertThrows(ConfigException.class,
        () -> HubConfig.fromLayers(file, Map.of("PRESENCE_TENANTS", "acme,acme"), Map.of()));
    assertTrue(dup.getMessage().startsWith("tenants:") && dup.getMessage().contains("PRESENCE_TENANTS"), dup.getMessage());

    ConfigException notList = assertThrows(ConfigException.class,
        () -> HubConfig.fromJson(file.copy().put("tenants", 5)));
    assertTrue(notList.getMessage().startsWith("tenants:"), notList.getMessage());

    ConfigException webhookElsewhere = assertThrows(ConfigException.class, () -> HubConfig.fromJson(file.copy()
        .put("tenants", new JsonArray().add("acme"))
        .put("webhookTenant", "globex").put("webhookUrl", "http://127.0.0.1:1/h").put("webhookSecret", "0123456789abcdef0123")));
    assertTrue(webhookElsewhere.getMessage().contains("'globex'"), webhookElsewhere.getMessage());
  }

  @Test
  @DisplayName("An empty entry in PRESENCE_TENANTS, or PRESENCE_CLUSTER_MEMBERS of commas alone, stops start-up instead of widening the setting")
  void emptyEntriesRefused() {
    JsonObject file = new JsonObject().put("jwtSecret", SECRET);
    for (String value : new String[] {",", "acme,,x", "acme,", " ", ",acme"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> HubConfig.fromLayers(file, Map.of("PRESENCE_TENANTS", value), Map.of()), "'" + value + "'");
      assertTrue(e.getMessage().startsWith("tenants: an entry is empty") && e.getMessage().contains("PRESENCE_TENANTS"),
          e.getMessage());
    }
    // The members of a TCP-IP join: "," or ",," read leniently is the empty list, i.e. multicast.
    for (String value : new String[] {",,", ",", " , "}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> HubConfig.fromLayers(file, Map.of("PRESENCE_CLUSTER_MEMBERS", value), Map.of()), "'" + value + "'");
      assertTrue(e.getMessage().startsWith("clusterMembers: no entry in") && e.getMessage().contains("PRESENCE_CLUSTER_MEMBERS"),
          e.getMessage());
    }
    assertTrue(HubConfig.fromLayers(file, Map.of("PRESENCE_CLUSTER_MEMBERS", " "), Map.of()).clusterMembers().isEmpty(),
        "a blank value stays the empty list (multicast)");
    assertEquals(List.of("127.0.0.1:5701"), HubConfig.fromLayers(file, Map.of("PRESENCE_CLUSTER_MEMBERS", "127.0.0.1:5701,,"),
        Map.of()).clusterMembers(), "a stray comma beside an entry is tolerated, as before");
    ConfigException control = assertThrows(ConfigException.class,
        () -> HubConfig.fromLayers(file, Map.of("PRESENCE_TENANTS", "ac\u0001me"), Map.of()));
    assertTrue(control.getMessage().contains("'ac\\u0001me'") && control.getMessage().chars().noneMatch(Character::isISOControl),
        control.getMessage());
  }
}
