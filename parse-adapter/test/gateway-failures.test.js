'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const grpc = require('@grpc/grpc-js');
const GatewayPushAdapter = require('../src/index');
const { startStandInGateway, authenticated, closedPort, APP_ID, MASTER_KEY } = require('./support/stand-in-gateway');

const INSTALLATIONS = [
  { objectId: 'inst000001', deviceType: 'ios', deviceToken: 'a'.repeat(64), appIdentifier: 'com.example.app' },
  { objectId: 'inst000002', deviceType: 'android', deviceToken: 'fcm-token', GCMSenderId: '123456789012' },
  { objectId: 'inst000003', deviceType: 'osx', deviceToken: 'b'.repeat(64) },
];
const BODY = { data: { alert: 'Hello' } };

function newAdapter(address, extra = {}) {
  const warnings = [];
  const adapter = new GatewayPushAdapter({
    address,
    appId: APP_ID,
    masterKey: MASTER_KEY,
    logger: { warn: message => warnings.push(message) },
    ...extra,
  });
  return { adapter, warnings };
}

function assertAllFailed(results, errorPattern) {
  assert.equal(results.length, INSTALLATIONS.length);
  results.forEach((result, i) => {
    assert.equal(result.transmitted, false);
    assert.deepEqual(result.device, {
      deviceType: INSTALLATIONS[i].deviceType,
      deviceToken: INSTALLATIONS[i].deviceToken,
    });
    assert.match(result.response.error, errorPattern);
  });
}

async function timed(promise) {
  const started = process.hrtime.bigint();
  const value = await promise;
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

test('a gateway that is down fails every device within the deadline', async t => {
  const port = await closedPort();
  const { adapter, warnings } = newAdapter(`127.0.0.1:${port}`, { deadlineMs: 1000 });
  t.after(() => adapter.close());

  const { value: results, ms } = await timed(adapter.send(BODY, INSTALLATIONS, 'pushStatus01'));

  assert.ok(ms < 2000, `resolved after ${ms} ms`);
  assertAllFailed(results, /^push gateway unavailable: UNAVAILABLE /);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /3 devices of push pushStatus01 not delivered: push gateway unavailable/);
});

test('a gateway that never answers fails every device at the deadline', async t => {
  const gateway = await startStandInGateway(() => undefined);
  const { adapter } = newAdapter(gateway.address, { deadlineMs: 1000 });
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  const { value: results, ms } = await timed(adapter.send(BODY, INSTALLATIONS, 'pushStatus02'));

  assert.equal(gateway.calls.length, 1, 'the request reached the stand-in');
  assert.ok(ms >= 900 && ms < 2000, `resolved after ${ms} ms`);
  assertAllFailed(results, /^push gateway unavailable: DEADLINE_EXCEEDED /);
});

test('a gateway refusing the credentials fails every device with its status', async t => {
  const gateway = await startStandInGateway(authenticated(() => ({ kind: 'OUTCOME_KIND_SENT' })));
  const { adapter } = newAdapter(gateway.address, { masterKey: 'wrong-master-key' });
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  const results = await adapter.send(BODY, INSTALLATIONS, 'pushStatus03');

  assertAllFailed(results, /^push gateway refused the batch: UNAUTHENTICATED wrong application id or master key$/);
});

test('the master key never appears in errors, warnings or the adapter itself', async t => {
  // A stand-in that misbehaves by echoing the key back, both as a call error and in
  // a device outcome's detail.
  const echoing = await startStandInGateway(request => {
    if (request.parse_push_status_id === 'echo-error') {
      throw { code: grpc.status.INTERNAL, details: `cannot use key ${MASTER_KEY}` };
    }
    return {
      outcomes: request.devices.map(() => ({
        kind: 'OUTCOME_KIND_FAILED',
        reason: 'REASON_REJECTED',
        detail: `provider said ${MASTER_KEY}`,
      })),
    };
  });
  const down = `127.0.0.1:${await closedPort()}`;
  const { adapter, warnings } = newAdapter(echoing.address, { deadlineMs: 1000 });
  const { adapter: downAdapter, warnings: downWarnings } = newAdapter(down, { deadlineMs: 1000 });
  t.after(() => {
    adapter.close();
    downAdapter.close();
    echoing.stop();
  });

  const texts = [];
  for (const results of [
    await adapter.send(BODY, INSTALLATIONS, 'echo-error'),
    await adapter.send(BODY, INSTALLATIONS, 'echo-detail'),
    await downAdapter.send(BODY, INSTALLATIONS, 'down'),
  ]) {
    texts.push(...results.map(result => JSON.stringify(result)));
  }
  texts.push(...warnings, ...downWarnings, util.inspect(adapter, { depth: 5 }), JSON.stringify(adapter));

  assert.ok(texts.length > 9);
  for (const text of texts) {
    assert.ok(!text.includes(MASTER_KEY), `master key leaked in: ${text}`);
  }
  assert.match(texts[0], /push gateway refused the batch: INTERNAL cannot use key \[redacted\]/);
  assert.match(texts[3], /rejected: provider said \[redacted\]/);
});

test('a payload that cannot be serialised fails its devices instead of rejecting', async t => {
  const gateway = await startStandInGateway(authenticated(() => ({ kind: 'OUTCOME_KIND_SENT' })));
  const { adapter, warnings } = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  const results = await adapter.send({ data: { alert: 'Hello', count: 1n } }, INSTALLATIONS, 'pushStatus05');

  assertAllFailed(results, /^push gateway adapter error: Do not know how to serialize a BigInt$/);
  assert.equal(gateway.calls.length, 0);
  assert.equal(warnings.length, 1);
});

test('a closed adapter fails devices at once instead of calling the gateway', async () => {
  const { adapter } = newAdapter('127.0.0.1:1');
  adapter.close();

  const results = await adapter.send(BODY, INSTALLATIONS, 'pushStatus04');

  assertAllFailed(results, /^push gateway adapter is closed$/);
});
