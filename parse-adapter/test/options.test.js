'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const GatewayPushAdapter = require('../src/index');
const { findProtoRoot, protoFiles, PROTO_ROOT_CANDIDATES } = require('../src/proto');

const VALID = Object.freeze({ address: '127.0.0.1:50051', appId: 'app', masterKey: 'very-secret-key' });

function construct(overrides) {
  const adapter = new GatewayPushAdapter({ ...VALID, ...overrides });
  adapter.close();
  return adapter;
}

function assertRejected(options, pattern) {
  assert.throws(
    () => new GatewayPushAdapter(options),
    error => {
      assert.match(error.message, /^GatewayPushAdapter: /);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes(VALID.masterKey), 'the master key must not be echoed');
      return true;
    }
  );
}

test('accepts the minimal options and the documented variants', () => {
  assert.equal(construct({}).deadlineMs, 30000);
  assert.equal(construct({ deadlineMs: 1500 }).deadlineMs, 1500);
  construct({ tls: true });
  construct({ tls: { ca: '-----BEGIN CERTIFICATE-----\n' } });
  construct({ tls: { ca: Buffer.from('pem') } });
  construct({ address: 'gateway.internal:443' });
  construct({ address: '[::1]:50051' });
  construct({ address: 'dns:///gateway.internal:50051' });
});

test('getValidPushTypes lists what the gateway delivers, or the override', () => {
  assert.deepEqual(construct({}).getValidPushTypes(), [
    'ios',
    'osx',
    'tvos',
    'watchos',
    'applewatch',
    'vision',
    'android',
    'embedded',
  ]);
  assert.deepEqual(construct({ pushTypes: ['ios'] }).getValidPushTypes(), ['ios']);
});

test('rejects missing or malformed options with a message naming the option', () => {
  assertRejected(undefined, /options must be an object/);
  assertRejected({ ...VALID, address: undefined }, /option "address" is required/);
  assertRejected({ ...VALID, address: 'localhost' }, /option "address" must look like host:port/);
  assertRejected({ ...VALID, appId: '' }, /option "appId" is required/);
  assertRejected({ ...VALID, masterKey: undefined }, /option "masterKey" is required/);
  assertRejected({ ...VALID, masterKey: 42 }, /option "masterKey" is required/);
  assertRejected({ ...VALID, tls: 'yes' }, /option "tls" must be false, true, or \{ ca/);
  assertRejected({ ...VALID, tls: { ca: '' } }, /option "tls.ca" must be a non-empty PEM/);
  assertRejected({ ...VALID, tls: { ca: 'pem', cert: 'x' } }, /option "tls" accepts only "ca"; unknown: cert/);
  assertRejected({ ...VALID, deadlineMs: 0 }, /option "deadlineMs" must be a positive integer/);
  assertRejected({ ...VALID, deadlineMs: '30000' }, /option "deadlineMs" must be a positive integer/);
  assertRejected({ ...VALID, pushTypes: [] }, /option "pushTypes" must be a non-empty array/);
  assertRejected({ ...VALID, logger: {} }, /option "logger" must be an object with a warn/);
  assertRejected({ ...VALID, deadline: 5 }, /unknown option\(s\): deadline/);
});

test('finds the .proto files in the package first, then in the repository', () => {
  const packaged = fs.mkdtempSync(path.join(os.tmpdir(), 'proto-root-'));
  fs.mkdirSync(path.join(packaged, 'push', 'v1'), { recursive: true });
  const missing = path.join(packaged, 'does-not-exist');

  assert.equal(findProtoRoot([packaged, PROTO_ROOT_CANDIDATES[1]]), packaged);
  assert.equal(findProtoRoot([missing, PROTO_ROOT_CANDIDATES[1]]), PROTO_ROOT_CANDIDATES[1]);
  assert.throws(() => findProtoRoot([missing]), /cannot find the push\/v1 \.proto files/);
  assert.deepEqual(protoFiles(PROTO_ROOT_CANDIDATES[1]), [
    'push/v1/payload.proto',
    'push/v1/push.proto',
    'push/v1/target.proto',
  ]);
  fs.rmSync(packaged, { recursive: true });
});
