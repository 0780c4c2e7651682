'use strict';

// Field names follow the .proto spelling (the loader keeps case, see proto.js).

/** A string field of an installation, or '' when absent or not a string. */
function text(value) {
  return typeof value === 'string' ? value : '';
}

/** One `push.v1.Device` from one Parse `_Installation` (a full REST object). */
function toDevice(installation) {
  installation = installation || {};
  return {
    installation_id: text(installation.objectId),
    device_type: text(installation.deviceType),
    device_token: text(installation.deviceToken),
    push_type: text(installation.pushType),
    app_identifier: text(installation.appIdentifier),
    gcm_sender_id: text(installation.GCMSenderId),
  };
}

/** Milliseconds since the epoch as a `google.protobuf.Timestamp`. */
function toTimestamp(epochMs) {
  const seconds = Math.floor(epochMs / 1000);
  return { seconds: String(seconds), nanos: (epochMs - seconds * 1000) * 1e6 };
}

/** Seconds (possibly fractional) as a `google.protobuf.Duration`. */
function toDuration(totalSeconds) {
  const seconds = Math.floor(totalSeconds);
  return { seconds: String(seconds), nanos: Math.round((totalSeconds - seconds) * 1e9) };
}

// PushController has already normalised `expiration_time` to epoch milliseconds (it
// accepts ISO strings or epoch seconds from the REST call); a string or Date is still
// accepted here for callers that invoke the adapter directly.
function expirationMillis(value) {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string' || value instanceof Date) {
    const ms = new Date(value).valueOf();
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/**
 * The expiration oneof. An absolute `expiration_time` wins: for an immediate push
 * with `expiration_interval`, Parse has already turned the interval into a time
 * counted from when the push was accepted, which is more exact than "from now".
 */
function expirationFields(body) {
  const at = expirationMillis(body.expiration_time);
  if (at !== undefined) {
    return { expiration_time: toTimestamp(Math.round(at)) };
  }
  const interval = body.expiration_interval;
  if (typeof interval === 'number' && Number.isFinite(interval) && interval > 0) {
    return { expiration_interval: toDuration(interval) };
  }
  return {};
}

/** The `DeliverBatchRequest` for one Parse batch. */
function buildDeliverBatchRequest({ appId, body, installations, pushStatusId }) {
  return {
    app_id: appId,
    parse_push_status_id: typeof pushStatusId === 'string' ? pushStatusId : '',
    data_json: JSON.stringify((body && body.data) || {}),
    devices: installations.map(toDevice),
    ...expirationFields(body || {}),
  };
}

module.exports = { buildDeliverBatchRequest, toDevice, toTimestamp, expirationFields };
