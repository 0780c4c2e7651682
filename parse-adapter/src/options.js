'use strict';

// Every deviceType the gateway routes: APNs for Apple platforms, FCM (or PPNS) for
// android, PPNS for embedded. Parse Server refuses pushes whose `where.deviceType`
// names anything else.
const DEFAULT_PUSH_TYPES = Object.freeze([
  'ios',
  'osx',
  'tvos',
  'watchos',
  'applewatch',
  'vision',
  'android',
  'embedded',
]);

const DEFAULT_DEADLINE_MS = 30000;

const KNOWN_OPTIONS = ['address', 'tls', 'appId', 'masterKey', 'deadlineMs', 'pushTypes', 'logger'];

// host:port, [ipv6]:port, or a gRPC target URI (dns:, ipv4:, ipv6:, unix:).
const ADDRESS_PATTERN = /^(?:[^\s:]+|\[[0-9a-fA-F:.]+\]):\d{1,5}$|^(?:dns|ipv4|ipv6|unix|unix-abstract):\S+$/;

function fail(message) {
  throw new Error(`GatewayPushAdapter: ${message}`);
}

function requireNonEmptyString(options, key, hint) {
  const value = options[key];
  if (typeof value !== 'string' || value.trim() === '') {
    fail(`option "${key}" is required and must be a non-empty string (${hint})`);
  }
  return value;
}

function validateAddress(options) {
  const address = requireNonEmptyString(options, 'address', 'the gateway gRPC endpoint, host:port');
  if (!ADDRESS_PATTERN.test(address)) {
    fail(`option "address" must look like host:port (e.g. 127.0.0.1:50051), got "${address}"`);
  }
  return address;
}

/** `false` (plaintext), `true` (TLS, system roots) or `{ ca }` (TLS, that CA). */
function validateTls(options) {
  const tls = options.tls === undefined ? false : options.tls;
  if (tls === false || tls === true) {
    return tls;
  }
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) {
    fail('option "tls" must be false, true, or { ca: <PEM string or Buffer> }');
  }
  const unknown = Object.keys(tls).filter(key => key !== 'ca');
  if (unknown.length > 0) {
    fail(`option "tls" accepts only "ca"; unknown: ${unknown.join(', ')}`);
  }
  const ca = tls.ca;
  const isPem = (typeof ca === 'string' || Buffer.isBuffer(ca)) && ca.length > 0;
  if (!isPem) {
    fail('option "tls.ca" must be a non-empty PEM string or Buffer');
  }
  return { ca: Buffer.isBuffer(ca) ? ca : Buffer.from(ca) };
}

function validateDeadline(options) {
  const deadlineMs = options.deadlineMs === undefined ? DEFAULT_DEADLINE_MS : options.deadlineMs;
  if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) {
    fail(`option "deadlineMs" must be a positive integer number of milliseconds, got ${String(deadlineMs)}`);
  }
  return deadlineMs;
}

function validatePushTypes(options) {
  if (options.pushTypes === undefined) {
    return DEFAULT_PUSH_TYPES;
  }
  const types = options.pushTypes;
  const valid = Array.isArray(types) && types.length > 0 && types.every(t => typeof t === 'string' && t !== '');
  if (!valid) {
    fail('option "pushTypes" must be a non-empty array of device type strings');
  }
  return Object.freeze([...types]);
}

// A logger is optional; whole-batch failures are worth one warning line each because
// Parse's _PushStatus only shows them as numFailed.
function validateLogger(options) {
  if (options.logger === undefined) {
    return console;
  }
  const logger = options.logger;
  if (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function') {
    fail('option "logger" must be an object with a warn(message) function');
  }
  return logger;
}

/**
 * Checks the constructor options and returns them normalised. Errors name the option
 * but never echo the master key.
 */
function validateOptions(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail('options must be an object: { address, appId, masterKey, tls?, deadlineMs?, pushTypes? }');
  }
  const unknown = Object.keys(options).filter(key => !KNOWN_OPTIONS.includes(key));
  if (unknown.length > 0) {
    fail(`unknown option(s): ${unknown.join(', ')}; known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  return Object.freeze({
    address: validateAddress(options),
    tls: validateTls(options),
    appId: requireNonEmptyString(options, 'appId', 'the Parse application id'),
    masterKey: requireNonEmptyString(options, 'masterKey', 'the Parse master key'),
    deadlineMs: validateDeadline(options),
    pushTypes: validatePushTypes(options),
    logger: validateLogger(options),
  });
}

module.exports = { validateOptions, DEFAULT_PUSH_TYPES, DEFAULT_DEADLINE_MS };
