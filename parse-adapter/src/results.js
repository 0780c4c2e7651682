'use strict';

// Parse Server 9.10.0 (lib/StatusHandler.js, trackSent) unsets `deviceToken` on every
// installation holding the token when PARSE_SERVER_CLEANUP_INVALID_INSTALLATIONS is
// set and a failed result's `response.error` is:
//   - the string 'NotRegistered', 'InvalidRegistration', 'Unregistered' or
//     'BadDeviceToken' (strict equality), or
//   - an object whose `code` is 'messaging/registration-token-not-registered' or
//     'messaging/invalid-registration-token' (FCM HTTP v1 errors as firebase-admin
//     reports them; a plain string with that text is NOT matched).
// The adapter produces these values only when the gateway says the token is dead
// (`token_removed`), so a token APNs refused in the wrong environment survives.
const APNS_UNREGISTERED = 'Unregistered';
const APNS_BAD_DEVICE_TOKEN = 'BadDeviceToken';
const FCM_NOT_REGISTERED = 'messaging/registration-token-not-registered';
const FCM_INVALID_TOKEN = 'messaging/invalid-registration-token';

// Every string Parse Server treats as "delete this token"; descriptive errors must
// never equal one of them.
const PARSE_CLEANUP_STRINGS = Object.freeze([
  'NotRegistered',
  'InvalidRegistration',
  APNS_UNREGISTERED,
  APNS_BAD_DEVICE_TOKEN,
]);

const APPLE_DEVICE_TYPES = new Set(['ios', 'osx', 'tvos', 'watchos', 'applewatch', 'vision']);

/** Replaces every occurrence of each secret with a placeholder. */
function redact(text, secrets) {
  let clean = String(text);
  for (const secret of secrets) {
    if (secret) {
      clean = clean.split(secret).join('[redacted]');
    }
  }
  return clean;
}

/** The device as Parse's trackSent reads it: it counts per deviceType, cleans up by deviceToken. */
function parseDevice(installation) {
  const { deviceType, deviceToken } = installation || {};
  return { deviceType, deviceToken };
}

function sentResult(installation) {
  return { transmitted: true, device: parseDevice(installation) };
}

function failedResult(installation, error) {
  return { transmitted: false, device: parseDevice(installation), response: { error } };
}

/** `REASON_BAD_DEVICE_TOKEN` -> `bad_device_token`, the gateway's own reason key. */
function reasonKey(outcome) {
  const reason = outcome.reason || '';
  if (reason === '' || reason === 'REASON_UNSPECIFIED') {
    return '';
  }
  return reason.replace(/^REASON_/, '').toLowerCase();
}

/** 'apns', 'fcm', 'ppns' or ''; falls back to the device type when the gateway names none. */
function providerOf(outcome, installation) {
  const named = (outcome.provider || '').replace(/^PROVIDER_/, '').toLowerCase();
  if (named && named !== 'unspecified') {
    return named;
  }
  if (APPLE_DEVICE_TYPES.has(installation.deviceType)) {
    return 'apns';
  }
  return installation.deviceType === 'android' ? 'fcm' : '';
}

/**
 * The error Parse Server recognises as a dead token, in the form its trackSent
 * matches for that provider; undefined when the provider has no such form.
 */
function deadTokenError(provider, reason, detail) {
  const unregistered = reason === 'unregistered';
  if (provider === 'apns') {
    return unregistered ? APNS_UNREGISTERED : APNS_BAD_DEVICE_TOKEN;
  }
  if (provider === 'fcm') {
    const code = unregistered ? FCM_NOT_REGISTERED : FCM_INVALID_TOKEN;
    return { code, message: detail || `push gateway: FCM reports the token is ${unregistered ? 'not registered' : 'invalid'}` };
  }
  return undefined;
}

// Why a token-looking failure was not reported as dead: the gateway keeps a token APNs
// called bad unless every configured environment refused it.
function keptTokenNote(provider, reason) {
  if (reason === 'bad_device_token' && provider === 'apns') {
    return ' (token kept: not refused in every configured APNs environment)';
  }
  if (reason === 'bad_device_token' || reason === 'unregistered') {
    return ' (token kept: the gateway did not confirm it is dead)';
  }
  return '';
}

/** Guarantees a descriptive error can never trigger Parse's token cleanup. */
function neverCleanup(error) {
  return PARSE_CLEANUP_STRINGS.includes(error) ? `${error} (token kept)` : error;
}

/** A descriptive error such as `sender_id_not_configured: no credential for 123`. */
function descriptiveError(outcome, provider, reason, detail) {
  const kind = outcome.kind === 'OUTCOME_KIND_SKIPPED' ? 'skipped' : 'failed';
  const label = reason || kind;
  const prefix = kind === 'skipped' && reason ? `skipped: ${label}` : label;
  const text = detail ? `${prefix}: ${detail}` : prefix;
  return neverCleanup(text + keptTokenNote(provider, reason));
}

/** One Parse result from one gateway `DeviceOutcome`. */
function resultFromOutcome(outcome, installation, secrets) {
  if (outcome.kind === 'OUTCOME_KIND_SENT' || outcome.kind === 'OUTCOME_KIND_QUEUED') {
    return sentResult(installation);
  }
  const provider = providerOf(outcome, installation);
  const reason = reasonKey(outcome);
  const detail = redact(outcome.detail || '', secrets);
  if (outcome.token_removed) {
    const dead = deadTokenError(provider, reason, detail);
    if (dead !== undefined) {
      return failedResult(installation, dead);
    }
  }
  return failedResult(installation, descriptiveError(outcome, provider, reason, detail));
}

/**
 * Parse's result array, index-aligned with the installations. A device the gateway
 * did not answer for counts as failed rather than silently disappearing from
 * Parse's counts.
 */
function resultsFromResponse(response, installations, secrets) {
  const outcomes = (response && response.outcomes) || [];
  return installations.map((installation, index) => {
    const outcome = outcomes[index];
    if (!outcome) {
      return failedResult(
        installation,
        `push gateway answered ${outcomes.length} outcomes for ${installations.length} devices`
      );
    }
    return resultFromOutcome(outcome, installation, secrets);
  });
}

/** Every device failed with the same error (the call itself failed). */
function allFailed(installations, error) {
  return installations.map(installation => failedResult(installation, error));
}

module.exports = {
  resultsFromResponse,
  resultFromOutcome,
  allFailed,
  redact,
  PARSE_CLEANUP_STRINGS,
  APNS_UNREGISTERED,
  APNS_BAD_DEVICE_TOKEN,
  FCM_NOT_REGISTERED,
  FCM_INVALID_TOKEN,
};
