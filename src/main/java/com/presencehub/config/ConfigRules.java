package com.presencehub.config;

/**
 * The rules that span keys or look inside a value, checked once every key has been read on its
 * own; each error names the key and the layer it came from.
 */
final class ConfigRules {

  private ConfigRules() {
  }

  static void check(HubConfig c, LayeredReader r) {
    join(c, r);
    String originProblem = OriginPolicy.problem(c.allowedOrigins());
    if (originProblem != null) {
      throw new ConfigException("allowedOrigins: " + originProblem + r.from("allowedOrigins"));
    }
    if (c.jwtPublicKey() != null && !c.jwtPublicKey().contains("-----BEGIN PUBLIC KEY-----")) {
      throw new ConfigException("jwtPublicKey: must be a PEM public key (-----BEGIN PUBLIC KEY-----)" + r.from("jwtPublicKey"));
    }
    if (c.devTokens() && c.jwtSecret() == null) {
      throw new ConfigException("devTokens: needs jwtSecret (dev tokens are signed with HS256)");
    }
    for (String m : c.clusterMembers()) {
      if (!m.matches("[^:\\s]+:\\d{1,5}") || !validPort(m.substring(m.lastIndexOf(':') + 1))) {
        throw new ConfigException("clusterMembers: '" + m + "' is not host:port" + r.from("clusterMembers"));
      }
    }
    if (!c.nodeId().matches("[A-Za-z0-9._:-]{1,100}")) {
      throw new ConfigException("nodeId: letters, digits and . _ : - only, at most 100, got '" + c.nodeId() + "'" + r.from("nodeId"));
    }
    if (c.sweepIntervalMs() > 500) {
      throw new ConfigException("sweepIntervalMs: at most 500, so that idle transitions land within 1 s of their deadline" + r.from("sweepIntervalMs"));
    }
    String tenantsProblem = TenantScope.problem(c.tenants());
    if (tenantsProblem != null) {
      throw new ConfigException("tenants: " + tenantsProblem + r.from("tenants"));
    }
    for (WebhookEndpoint w : c.webhooks()) {
      if (!c.tenants().isEmpty() && !c.tenants().contains(w.tenant())) {
        throw new ConfigException("webhooks: tenant '" + w.tenant() + "' is not in tenants " + c.tenants()
            + " (this cell would never see its transitions)" + r.from("tenants"));
      }
    }
    if (c.webhookRetryMaxMs() < c.webhookRetryMinMs()) {
      throw new ConfigException("webhookRetryMaxMs: must be at least webhookRetryMinMs (" + c.webhookRetryMinMs() + ")" + r.from("webhookRetryMaxMs"));
    }
  }

  private static void join(HubConfig c, LayeredReader r) {
    if (!HubConfig.CLUSTER_JOINS.contains(c.clusterJoin())) {
      throw new ConfigException("clusterJoin: one of " + HubConfig.CLUSTER_JOINS + ", got '" + c.clusterJoin() + "'" + r.from("clusterJoin"));
    }
    if (c.clusterJoin().equals("tcp") && c.clusterMembers().isEmpty()) {
      throw new ConfigException("clusterMembers: required with clusterJoin=tcp" + r.from("clusterMembers"));
    }
    if (c.clusterJoin().equals("kubernetes")) {
      if ((c.clusterKubernetesServiceName() == null) == (c.clusterKubernetesServiceDns() == null)) {
        throw new ConfigException("clusterKubernetesServiceName: with clusterJoin=kubernetes set exactly one of "
            + "clusterKubernetesServiceName (" + ConfigDefaults.envName("clusterKubernetesServiceName") + ", Kubernetes API) and "
            + "clusterKubernetesServiceDns (" + ConfigDefaults.envName("clusterKubernetesServiceDns") + ", DNS lookup)");
      }
      if (c.clusterKubernetesServiceDns() != null && c.clusterKubernetesNamespace() != null) {
        throw new ConfigException("clusterKubernetesNamespace: only with clusterKubernetesServiceName (the DNS name "
            + "already names the namespace)" + r.from("clusterKubernetesNamespace"));
      }
    }
  }

  private static boolean validPort(String digits) {
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65_535;
  }
}
