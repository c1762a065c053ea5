package com.presencehub.config;

import java.util.List;

/**
 * What the Hazelcast and event-bus setup of a clustered node (cluster/ClusterSetup) needs of {@link
 * HubConfig}; the keys are HubConfig's {@code cluster*} keys and {@code nodeId}.
 *
 * @param name {@code clusterName}
 * @param host {@code clusterHost}: the address Hazelcast and the event bus bind and advertise
 * @param port {@code clusterPort}: Hazelcast's port (0: any free one)
 * @param members {@code clusterMembers}: {@code host:port} of TCP-IP join; empty: multicast
 * @param nodeId {@code nodeId}: this node's name in the cluster
 * @param busPort {@code clusterBusPort}: the event bus's port (0: any free one)
 * @param failureTimeoutMs {@code clusterFailureTimeoutMs}
 * @param mergeIntervalMs {@code clusterMergeIntervalMs}
 * @param partitions {@code clusterPartitions}: Hazelcast's partition count, the same on every member
 * @param join {@code clusterJoin}: one of {@link HubConfig#CLUSTER_JOINS}
 * @param kubernetesServiceName {@code clusterKubernetesServiceName}, or null
 * @param kubernetesNamespace {@code clusterKubernetesNamespace}, or null
 * @param kubernetesServiceDns {@code clusterKubernetesServiceDns}, or null
 */
public record ClusterOptions(String name, String host, int port, List<String> members, String nodeId, int busPort,
    long failureTimeoutMs, long mergeIntervalMs, int partitions, String join, String kubernetesServiceName, String kubernetesNamespace,
    String kubernetesServiceDns) {
}
