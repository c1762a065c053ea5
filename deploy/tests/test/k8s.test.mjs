// deploy/k8s against the Kubernetes API schemas (kubernetes-models: the OpenAPI schemas of the
// Kubernetes API compiled into validators, from npm; no cluster needed), then what the schemas
// cannot know: probes on the hub's health endpoints, a grace period that covers the 4503 hand-over,
// the headless service Hazelcast's discovery is pointed at, the PDB, and no secret value anywhere.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const K8S = path.join(REPO, 'deploy', 'k8s');

function load(file) {
  return parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: YAML errors`);
    return d.toJS();
  }).filter(Boolean);
}

/** The model class of kubernetes-models for a manifest's apiVersion and kind. */
async function modelOf(doc) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [null, doc.apiVersion];
  const mod = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
  assert.ok(mod[doc.kind], `no schema for ${doc.apiVersion} ${doc.kind}`);
  return mod[doc.kind];
}

async function validate(doc) {
  const Model = await modelOf(doc);
  new Model(doc).validate();
}

const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const docs = files.flatMap((f) => load(f).map((doc) => ({ file: f, doc })));
const find = (kind, name) => docs.map((d) => d.doc).find((d) => d.kind === kind && (!name || d.metadata.name === name));

const sts = find('StatefulSet');
const pod = sts.spec.template.spec;
const container = pod.containers[0];
const env = Object.fromEntries((container.env || []).map((e) => [e.name, e]));
const config = find('ConfigMap', 'presence-hub-config').data;

describe('deploy/k8s', () => {
  it('every manifest is valid against the Kubernetes API schema of its kind', async () => {
    assert.ok(docs.length >= 8, `manifests found: ${docs.map((d) => `${d.file}:${d.doc.kind}`)}`);
    for (const { file, doc } of docs) {
      try {
        await validate(doc);
      } catch (e) {
        assert.fail(`${file} ${doc.kind}/${doc.metadata?.name}: ${e.message}`);
      }
    }
  });

  it('the validator does reject a broken manifest (so the check above can fail)', async () => {
    const broken = structuredClone(sts);
    broken.spec.replicas = 'three';
    await assert.rejects(validate(broken), /replicas must be integer/);
    const noImage = structuredClone(find('Service', 'presence-hub'));
    noImage.spec.ports[0].port = 'http';
    await assert.rejects(validate(noImage), /port must be integer/);
  });

  it('kustomization.yaml lists every manifest', () => {
    const [k] = load('kustomization.yaml');
    assert.deepEqual([...k.resources].sort(), files);
  });

  it('readiness on /health/ready and liveness on /health/live, on the HTTP port the node listens on', () => {
    const http = container.ports.find((p) => p.name === 'http');
    assert.equal(String(http.containerPort), config.PRESENCE_HTTP_PORT);
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/health/ready', port: 'http' });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/health/live', port: 'http' });
    assert.deepEqual(container.startupProbe.httpGet, { path: '/health/live', port: 'http' });
  });

  it('preStop and terminationGracePeriodSeconds cover the 4503 hand-over and Hazelcast\'s graceful leave', () => {
    const [cmd, seconds] = container.lifecycle.preStop.exec.command;
    assert.equal(cmd, 'sleep');
    const clusterSetup = readFileSync(path.join(REPO, 'src/main/java/com/presencehub/cluster/ClusterSetup.java'), 'utf8');
    const hzWait = Number(/"hazelcast\.graceful\.shutdown\.max\.wait", "(\d+)"/.exec(clusterSetup)[1]);
    assert.ok(hzWait > 0);
    assert.ok(pod.terminationGracePeriodSeconds >= Number(seconds) + hzWait + 5,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < preStop ${seconds} s + Hazelcast's ${hzWait} s + 5 s`);
    // The preStop wait happens before SIGTERM, while sessions are still served: short.
    assert.ok(Number(seconds) >= 2 && Number(seconds) <= 10);
  });

  it('Hazelcast Kubernetes discovery points at the headless service, which lists pods before they are ready', () => {
    assert.equal(config.PRESENCE_CLUSTER, 'true');
    assert.equal(config.PRESENCE_CLUSTER_JOIN, 'kubernetes');
    const headless = find('Service', config.PRESENCE_CLUSTER_KUBERNETES_SERVICE_NAME);
    assert.ok(headless, `no Service ${config.PRESENCE_CLUSTER_KUBERNETES_SERVICE_NAME}`);
    assert.equal(headless.spec.clusterIP, 'None');
    assert.equal(headless.spec.publishNotReadyAddresses, true);
    assert.equal(sts.spec.serviceName, headless.metadata.name);
    assert.deepEqual(headless.spec.selector, sts.spec.template.metadata.labels);
    assert.deepEqual(headless.spec.ports.map((p) => String(p.port)).sort(), [config.PRESENCE_CLUSTER_PORT, config.PRESENCE_CLUSTER_BUS_PORT].sort());
    assert.equal(env.PRESENCE_CLUSTER_HOST.valueFrom.fieldRef.fieldPath, 'status.podIP');
    assert.equal(env.PRESENCE_NODE_ID.valueFrom.fieldRef.fieldPath, 'metadata.name');
    // The API discovery needs the service account to read endpoints and pods.
    assert.equal(pod.serviceAccountName, find('ServiceAccount').metadata.name);
    const role = find('Role');
    assert.ok(role.rules.some((r) => r.resources.includes('endpoints') && r.resources.includes('pods') && r.verbs.includes('list')));
    const binding = find('RoleBinding');
    assert.equal(binding.roleRef.name, role.metadata.name);
    assert.equal(binding.subjects[0].name, pod.serviceAccountName);
  });

  it('a PodDisruptionBudget takes one pod at a time from the StatefulSet', () => {
    const pdb = find('PodDisruptionBudget');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, sts.spec.selector.matchLabels);
    assert.ok(sts.spec.replicas >= 3);
  });

  it('the JWT secret is a reference to a Secret, never a value; no Secret object is shipped', () => {
    assert.deepEqual(Object.keys(env.PRESENCE_JWT_SECRET.valueFrom), ['secretKeyRef']);
    assert.equal(env.PRESENCE_JWT_SECRET.value, undefined);
    assert.equal(find('Secret'), undefined);
    for (const { file, doc } of docs) {
      assert.doesNotMatch(JSON.stringify(doc), /JWT_SECRET"?\s*[:=]\s*"[^"]/, `${file}: a secret value`);
    }
    assert.equal(config.PRESENCE_JWT_SECRET, undefined);
  });

  it('runs as the Dockerfile\'s non-root user, and sets only configuration keys the hub knows', () => {
    const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const uid = /^USER (\d+)/m.exec(dockerfile)?.[1];
    assert.ok(uid && uid !== '0', 'the Dockerfile names a non-root USER');
    // Container-aware heap (issue 16): the JVM sizes its heap from the container's memory limit.
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.ok(entrypoint, 'the Dockerfile has an exec-form ENTRYPOINT');
    const words = JSON.parse(entrypoint).flatMap((a) => a.split(/\s+/));
    const flag = words.findIndex((a) => /^-XX:MaxRAMPercentage=\d+(\.\d+)?$/.test(a));
    assert.ok(flag >= 0, `the ENTRYPOINT sets -XX:MaxRAMPercentage: ${entrypoint}`);
    // An operator's JAVA_OPTS comes after the shipped flags (so it wins) and before -jar (so the JVM,
    // not the hub, reads it); java is exec'd, so SIGTERM reaches it (the 4503 hand-over).
    const opts = words.indexOf('$JAVA_OPTS');
    assert.ok(opts > flag && opts < words.indexOf('-jar'), `JAVA_OPTS between the shipped flags and -jar: ${entrypoint}`);
    assert.ok(words.includes('exec'), `the ENTRYPOINT execs java: ${entrypoint}`);
    assert.ok(container.resources?.limits?.memory, 'the pod sets a memory limit for MaxRAMPercentage to act on');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(String(pod.securityContext.runAsUser), uid);
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const known = new Set([...readme.matchAll(/^\| `\w+` \| `(PRESENCE_\w+)` \|/gm)].map((m) => m[1]));
    assert.ok(known.size > 30, 'the README configuration table');
    for (const name of [...Object.keys(config), ...Object.keys(env)]) {
      assert.ok(known.has(name), `${name} is not a configuration key (README table)`);
    }
  });
});
