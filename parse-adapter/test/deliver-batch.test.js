'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

// Parse Server's logger writes files to ./logs by default; the tests leave no files.
process.env.PARSE_SERVER_LOGS_FOLDER = 'null';
const { pushStatusHandler } = require('parse-server/lib/StatusHandler');
const GatewayPushAdapter = require('../src/index');
const { startStandInGateway, authenticated, APP_ID, MASTER_KEY } = require('./support/stand-in-gateway');

const APNS_TOKEN = n => String(n).repeat(64).slice(0, 64);

// One installation per case, as Parse Server's REST find returns them (extra fields
// such as channels and badge included, since the adapter must ignore them).
const INSTALLATIONS = [
  { objectId: 'iosSent001', deviceType: 'ios', deviceToken: APNS_TOKEN(1), appIdentifier: 'com.example.app', channels: ['news'], badge: 2 },
  { objectId: 'ppnsQueue1', deviceType: 'android', deviceToken: 'ppns-device-1', pushType: 'ppns' },
  { objectId: 'iosUnreg01', deviceType: 'ios', deviceToken: APNS_TOKEN(2), appIdentifier: 'com.example.app' },
  { objectId: 'iosBad0001', deviceType: 'tvos', deviceToken: APNS_TOKEN(3), appIdentifier: 'com.example.tv' },
  { objectId: 'iosKept001', deviceType: 'ios', deviceToken: APNS_TOKEN(4), appIdentifier: 'com.example.app' },
  { objectId: 'fcmUnreg01', deviceType: 'android', deviceToken: 'fcm-token-unregistered', pushType: 'gcm', GCMSenderId: '123456789012' },
  { objectId: 'fcmInval01', deviceType: 'android', deviceToken: 'fcm-token-invalid', GCMSenderId: '123456789012' },
  { objectId: 'fcmSender1', deviceType: 'android', deviceToken: 'fcm-token-old-sender', GCMSenderId: '1076345567071' },
  { objectId: 'winSkip001', deviceType: 'winrt', deviceToken: 'winrt-token' },
  { objectId: 'fcmBare001', deviceType: 'android', deviceToken: 'fcm-token-bare' },
];

// The gateway's answer per installation objectId.
const OUTCOMES = {
  iosSent001: { kind: 'OUTCOME_KIND_SENT', provider: 'PROVIDER_APNS' },
  ppnsQueue1: { kind: 'OUTCOME_KIND_QUEUED', provider: 'PROVIDER_PPNS' },
  iosUnreg01: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_APNS', reason: 'REASON_UNREGISTERED', detail: 'Unregistered', token_removed: true },
  iosBad0001: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_APNS', reason: 'REASON_BAD_DEVICE_TOKEN', detail: 'BadDeviceToken', token_removed: true },
  iosKept001: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_APNS', reason: 'REASON_BAD_DEVICE_TOKEN', detail: 'BadDeviceToken', token_removed: false },
  fcmUnreg01: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_FCM', reason: 'REASON_UNREGISTERED', detail: 'UNREGISTERED', token_removed: true },
  fcmInval01: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_FCM', reason: 'REASON_BAD_DEVICE_TOKEN', detail: 'INVALID_ARGUMENT', token_removed: true },
  fcmSender1: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_UNSPECIFIED', reason: 'REASON_SENDER_ID_NOT_CONFIGURED', detail: 'no FCM credential for sender id 1076345567071' },
  winSkip001: { kind: 'OUTCOME_KIND_SKIPPED', reason: 'REASON_UNSUPPORTED_DEVICE_TYPE', detail: 'winrt' },
  fcmBare001: { kind: 'OUTCOME_KIND_FAILED', provider: 'PROVIDER_FCM' },
};

const EXPECTED_RESULTS = [
  { transmitted: true, device: { deviceType: 'ios', deviceToken: APNS_TOKEN(1) } },
  { transmitted: true, device: { deviceType: 'android', deviceToken: 'ppns-device-1' } },
  { transmitted: false, device: { deviceType: 'ios', deviceToken: APNS_TOKEN(2) }, response: { error: 'Unregistered' } },
  { transmitted: false, device: { deviceType: 'tvos', deviceToken: APNS_TOKEN(3) }, response: { error: 'BadDeviceToken' } },
  {
    transmitted: false,
    device: { deviceType: 'ios', deviceToken: APNS_TOKEN(4) },
    response: { error: 'bad_device_token: BadDeviceToken (token kept: not refused in every configured APNs environment)' },
  },
  {
    transmitted: false,
    device: { deviceType: 'android', deviceToken: 'fcm-token-unregistered' },
    response: { error: { code: 'messaging/registration-token-not-registered', message: 'UNREGISTERED' } },
  },
  {
    transmitted: false,
    device: { deviceType: 'android', deviceToken: 'fcm-token-invalid' },
    response: { error: { code: 'messaging/invalid-registration-token', message: 'INVALID_ARGUMENT' } },
  },
  {
    transmitted: false,
    device: { deviceType: 'android', deviceToken: 'fcm-token-old-sender' },
    response: { error: 'sender_id_not_configured: no FCM credential for sender id 1076345567071' },
  },
  {
    transmitted: false,
    device: { deviceType: 'winrt', deviceToken: 'winrt-token' },
    response: { error: 'skipped: unsupported_device_type: winrt' },
  },
  { transmitted: false, device: { deviceType: 'android', deviceToken: 'fcm-token-bare' }, response: { error: 'failed' } },
];

const BODY = {
  data: { alert: 'Hello', badge: 3, sound: 'ping.caf', 'content-available': 1, custom: { nested: [1, 'two'] } },
  expiration_time: 1767225600123, // PushController hands over epoch milliseconds
  where: { channels: 'news' },
};

function outcomeFor(device) {
  return { installation_id: device.installation_id, device_type: device.device_type, ...OUTCOMES[device.installation_id] };
}

function newAdapter(address, extra = {}) {
  return new GatewayPushAdapter({
    address,
    appId: APP_ID,
    masterKey: MASTER_KEY,
    deadlineMs: 5000,
    logger: { warn() {} },
    ...extra,
  });
}

test('maps every gateway outcome to the result Parse Server counts', async t => {
  const gateway = await startStandInGateway(authenticated(outcomeFor));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  const results = await adapter.send(BODY, INSTALLATIONS, 'pushStatus01');

  assert.deepEqual(results, EXPECTED_RESULTS);
});

test('sends the batch, its data and expiry, and the credentials as metadata', async t => {
  const gateway = await startStandInGateway(authenticated(outcomeFor));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  await adapter.send(BODY, INSTALLATIONS, 'pushStatus01');

  assert.equal(gateway.calls.length, 1);
  const { request, metadata } = gateway.calls[0];
  assert.deepEqual(metadata, { appId: [APP_ID], masterKey: [MASTER_KEY] });
  assert.equal(request.app_id, APP_ID);
  assert.equal(request.parse_push_status_id, 'pushStatus01');
  assert.deepEqual(JSON.parse(request.data_json), BODY.data);
  assert.equal(request.expiration, 'expiration_time');
  assert.deepEqual(request.expiration_time, { seconds: '1767225600', nanos: 123000000 });
  assert.deepEqual(request.devices[0], {
    installation_id: 'iosSent001',
    device_type: 'ios',
    device_token: APNS_TOKEN(1),
    push_type: '',
    app_identifier: 'com.example.app',
    gcm_sender_id: '',
  });
  assert.deepEqual(request.devices[1], {
    installation_id: 'ppnsQueue1',
    device_type: 'android',
    device_token: 'ppns-device-1',
    push_type: 'ppns',
    app_identifier: '',
    gcm_sender_id: '',
  });
  assert.deepEqual(request.devices[5], {
    installation_id: 'fcmUnreg01',
    device_type: 'android',
    device_token: 'fcm-token-unregistered',
    push_type: 'gcm',
    app_identifier: '',
    gcm_sender_id: '123456789012',
  });
  assert.deepEqual(
    request.devices.map(device => device.installation_id),
    INSTALLATIONS.map(installation => installation.objectId)
  );
});

test('passes expiration_interval as a duration when no expiration time is set', async t => {
  const gateway = await startStandInGateway(authenticated(outcomeFor));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  await adapter.send({ data: { alert: 'later' }, expiration_interval: 90 }, INSTALLATIONS.slice(0, 1), 'pushStatus02');
  await adapter.send({ data: { alert: 'now' } }, INSTALLATIONS.slice(0, 1), 'pushStatus03');

  const [withInterval, withoutExpiry] = gateway.calls.map(call => call.request);
  assert.equal(withInterval.expiration, 'expiration_interval');
  assert.deepEqual(withInterval.expiration_interval, { seconds: '90', nanos: 0 });
  assert.equal(withoutExpiry.expiration, undefined);
  assert.equal(withoutExpiry.expiration_time, undefined);
  assert.equal(withoutExpiry.expiration_interval, undefined);
});

test("Parse Server's own trackSent removes exactly the tokens the gateway found dead", async t => {
  const gateway = await startStandInGateway(authenticated(outcomeFor));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });
  const results = await adapter.send(BODY, INSTALLATIONS, 'pushStatus01');

  // Only trackSent's cleanup write is observed; its _PushStatus update needs a real
  // server and fails afterwards, which does not matter here.
  const removed = [];
  const config = {
    database: {
      update(className, where) {
        removed.push(...where.deviceToken.$in);
        return Promise.resolve();
      },
    },
  };
  await pushStatusHandler(config, 'pushStatus01')
    .trackSent(results, undefined, 'true')
    .catch(() => {});

  assert.deepEqual(removed.sort(), [APNS_TOKEN(2), APNS_TOKEN(3), 'fcm-token-invalid', 'fcm-token-unregistered'].sort());
});

test('an empty batch resolves to an empty array without calling the gateway', async t => {
  const gateway = await startStandInGateway(authenticated(outcomeFor));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  assert.deepEqual(await adapter.send(BODY, [], 'pushStatus04'), []);
  assert.equal(gateway.calls.length, 0);
});

test('devices the gateway left unanswered count as failed', async t => {
  const gateway = await startStandInGateway(() => ({ outcomes: [{ kind: 'OUTCOME_KIND_SENT' }] }));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });

  const results = await adapter.send(BODY, INSTALLATIONS.slice(0, 2), 'pushStatus05');

  assert.deepEqual(results, [
    EXPECTED_RESULTS[0],
    {
      transmitted: false,
      device: { deviceType: 'android', deviceToken: 'ppns-device-1' },
      response: { error: 'push gateway answered 1 outcomes for 2 devices' },
    },
  ]);
});

test('batches above the per-call limit are split and answered in order', async t => {
  const gateway = await startStandInGateway(authenticated(() => ({ kind: 'OUTCOME_KIND_SENT' })));
  const adapter = newAdapter(gateway.address);
  t.after(() => {
    adapter.close();
    gateway.stop();
  });
  const installations = Array.from({ length: 12001 }, (_, i) => ({
    objectId: `inst${i}`,
    deviceType: 'ios',
    deviceToken: `token-${i}`,
  }));

  const results = await adapter.send(BODY, installations, 'pushStatus06');

  // The parts travel in parallel, so they may arrive in any order.
  const firstIds = gateway.calls.map(call => call.request.devices[0].installation_id).sort();
  const sizes = gateway.calls.map(call => call.request.devices.length).sort();
  assert.deepEqual(firstIds, ['inst0', 'inst10000', 'inst5000']);
  assert.deepEqual(sizes, [2001, 5000, 5000]);
  assert.equal(results.length, 12001);
  assert.ok(results.every((result, i) => result.transmitted && result.device.deviceToken === `token-${i}`));
});

test('works when Parse Server loads it as a module with options', () => {
  const { loadAdapter } = require('parse-server/lib/Adapters/AdapterLoader');
  const AdaptableController = require('parse-server/lib/Controllers/AdaptableController').default;
  const { PushAdapter } = require('parse-server/lib/Adapters/Push/PushAdapter');

  const adapter = loadAdapter({
    module: require.resolve('../src/index'),
    options: { address: '127.0.0.1:50051', appId: APP_ID, masterKey: MASTER_KEY },
  });

  assert.ok(adapter instanceof GatewayPushAdapter);
  assert.doesNotThrow(() => AdaptableController.validateAdapter(adapter, null, PushAdapter));
  adapter.close();
});
