package com.presencehub.config;

import java.util.List;
import java.util.Set;

/**
 * Which tenants this cluster (a <em>cell</em>, docs/cells.md) serves: the {@code tenants} key. Empty
 * means every tenant, as a hub without cells has always done. Nothing crosses tenants (PROTOCOL.md
 * §1), so a tenant can live on one cell only; a session, an event-bus request or an HTTP request for
 * a tenant outside the list is refused at admission with {@link #refusal}, which names the tenant
 * and the cell, so that a misrouted client or a wrong nginx map is found from the error alone.
 *
 * <p>Pure: no Vert.x. The callers turn a refusal into their own error shape: {@code error}
 * {@code unauthorized} then close 4401 on a socket (§3/§4), failure code 403 on the event bus (§5),
 * HTTP 403 {@code {"code":"forbidden"}} (§8).
 */
public final class TenantScope {

  /** Serves every tenant. */
  public static final TenantScope ALL = new TenantScope(List.of(), "presence-hub");

  private final Set<String> tenants;
  private final String cell;

  /**
   * @param tenants the tenant ids served; empty: all
   * @param cell this cluster's name ({@code clusterName}), the name operators know the cell by
   */
  public TenantScope(List<String> tenants, String cell) {
    this.tenants = Set.copyOf(tenants);
    this.cell = cell;
  }

  /** The scope a node's configuration sets: its {@code tenants}, named after its {@code clusterName}. */
  public static TenantScope of(HubConfig config) {
    return new TenantScope(config.tenants(), config.clusterName());
  }

  /** True when every tenant is served (no allow-list). */
  public boolean servesAll() {
    return tenants.isEmpty();
  }

  public boolean serves(String tenant) {
    return tenants.isEmpty() || tenants.contains(tenant);
  }

  /**
   * Why a request for {@code tenant} is refused here, or null when it is served. A tenant that is
   * not a string (missing, a number) is not this check's business: the request's own validation
   * names that field, so null is returned.
   *
   * @return e.g. {@code tenant 'globex' is not served by cell 'cell-a' (its tenants allow-list); this
   *     cluster is the wrong one for it: check the routing (docs/cells.md)}
   */
  public String refusal(Object tenant) {
    if (!(tenant instanceof String t) || serves(t)) {
      return null;
    }
    return "tenant '" + t + "' is not served by cell '" + cell + "' (its tenants allow-list); this cluster is the wrong"
        + " one for it: check the routing (docs/cells.md)";
  }

  /**
   * What is wrong with a {@code tenants} list, or null: each entry a tenant id (non-empty, at most
   * 256 characters, no control characters, no comma or space, which the comma-separated
   * environment form could not carry), no entry twice.
   */
  public static String problem(List<String> tenants) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String t : tenants) {
      if (t.isEmpty()) {
        return "an entry is empty";
      }
      // The one id rule (length in code points, control characters, lone surrogates), then what
      // the comma-separated environment form cannot carry.
      String idProblem = com.presencehub.protocol.FieldRules.idProblem(t);
      if (idProblem != null) {
        String shown = t.length() > 40 ? t.substring(0, 40) + "…" : t;
        return "'" + LayeredReader.printable(shown) + "' " + idProblem;
      }
      if (t.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
        return "'" + t + "' contains a space or a comma";
      }
      if (!seen.add(t)) {
        return "'" + t + "' is listed twice";
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return tenants.isEmpty() ? "all tenants" : "tenants " + new java.util.TreeSet<>(tenants);
  }
}
