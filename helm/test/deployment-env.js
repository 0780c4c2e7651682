#!/usr/bin/env node
'use strict';

// Renders the push-gateway chart (default: with ci/production-values.yaml) and prints, as
// JSON, what is needed to start the gateway the way the Deployment starts it:
//   - image, command and args of the gateway container (null: the image's own entrypoint/CMD)
//   - env: every variable; literal ones with their value, secret ones with the Secret
//     name and key they come from (valueFrom.secretKeyRef)
//   - secretFiles: the credential files the pod mounts from Secrets (path, Secret, key)
//   - gatewayYaml: the ConfigMap's gateway.yaml, and its path in the pod
//   - emptyDirs: where the pod mounts emptyDir volumes; memoryLimit: the container's memory
//     limit (for example "1Gi"), or null; user: the uid and gid it runs as
//
// Usage: node deployment-env.js [values.yaml ...] [--set key=value ...]
// (run `npm ci` in this directory first; needs the `unzip` command)

const { PRODUCTION_VALUES, template, cleanup } = require('./helm');

function parseArgs(argv) {
  const valuesFiles = [];
  const set = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--set' && i + 1 < argv.length) set.push(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') return null;
    else valuesFiles.push(argv[i]);
  }
  return { valuesFiles: valuesFiles.length ? valuesFiles : [PRODUCTION_VALUES], set };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!options) {
    process.stdout.write('usage: node deployment-env.js [values.yaml ...] [--set key=value ...]\n');
    return 0;
  }
  const rendered = template(options);
  if (rendered.status !== 0) {
    process.stderr.write(rendered.stderr);
    return 1;
  }
  const deployment = rendered.docs.find((d) => d.kind === 'Deployment');
  const configMap = rendered.docs.find((d) => d.kind === 'ConfigMap');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'gateway');

  const env = (container.env || []).map((e) => {
    if (e.valueFrom && e.valueFrom.secretKeyRef) {
      return { name: e.name, secretKeyRef: { name: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key } };
    }
    if (e.valueFrom) return { name: e.name, valueFrom: e.valueFrom };
    return { name: e.name, value: e.value };
  });

  const volumes = new Map((pod.volumes || []).map((v) => [v.name, v]));
  const secretFiles = [];
  const emptyDirs = [];
  let configPath = null;
  for (const mount of container.volumeMounts || []) {
    const volume = volumes.get(mount.name);
    if (volume && volume.emptyDir) emptyDirs.push(mount.mountPath);
    if (volume && volume.secret) {
      for (const item of volume.secret.items || []) {
        secretFiles.push({
          path: `${mount.mountPath}/${item.path}`,
          secretName: volume.secret.secretName,
          key: item.key,
          mode: (volume.secret.defaultMode ?? 420).toString(8).padStart(4, '0'),
        });
      }
    }
    if (volume && volume.configMap && volume.configMap.name === configMap.metadata.name) {
      configPath = `${mount.mountPath}/gateway.yaml`;
    }
  }

  const out = {
    deployment: deployment.metadata.name,
    namespace: deployment.metadata.namespace,
    image: container.image,
    command: container.command ?? null,
    args: container.args ?? null,
    env,
    secretFiles,
    gatewayYamlPath: configPath,
    gatewayYaml: configMap.data['gateway.yaml'],
    emptyDirs,
    memoryLimit: (container.resources && container.resources.limits && container.resources.limits.memory) ?? null,
    user: { uid: (container.securityContext || {}).runAsUser ?? (pod.securityContext || {}).runAsUser ?? null,
      gid: (container.securityContext || {}).runAsGroup ?? (pod.securityContext || {}).runAsGroup ?? null },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return 0;
}

let status;
try {
  status = main();
} finally {
  cleanup();
}
process.exitCode = status;
