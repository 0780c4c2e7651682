'use strict';

const grpc = require('@grpc/grpc-js');
const { validateOptions, DEFAULT_PUSH_TYPES } = require('./options');
const { pushServiceClient } = require('./proto');
const { buildDeliverBatchRequest } = require('./request');
const { resultsFromResponse, allFailed, redact } = require('./results');
const { version } = require('../package.json');

// The gateway accepts at most 10,000 devices per DeliverBatch and 4 MB per request.
// Parse Server hands out 100 at a time unless its queue batchSize is raised; larger
// batches are split so a big batchSize cannot turn into a refused call.
const MAX_DEVICES_PER_CALL = 5000;

// grpc-js enforces the deadline itself; this margin only arms a second timer in case
// its callback never arrives, so Parse's push never waits forever.
const GUARD_MARGIN_MS = 1000;

// Status codes that mean "could not reach or hear back from the gateway", as opposed
// to the gateway answering with a refusal (bad credentials, invalid request).
const UNREACHABLE_CODES = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

function statusName(code) {
  const name = Object.keys(grpc.status).find(key => grpc.status[key] === code);
  return name || `status ${String(code)}`;
}

function credentialsFor(tls) {
  if (tls === false) {
    return grpc.credentials.createInsecure();
  }
  return tls === true ? grpc.credentials.createSsl() : grpc.credentials.createSsl(tls.ca);
}

function chunk(items, size) {
  const chunks = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/**
 * Parse Server push adapter that hands each batch to the Parse Push Gateway
 * (`push.v1.PushService/DeliverBatch`) and reports the gateway's per-device outcomes
 * back in the shape Parse Server counts into `_PushStatus` and uses for token cleanup.
 */
class GatewayPushAdapter {
  /**
   * @param {object} options
   * @param {string} options.address gateway gRPC endpoint, host:port
   * @param {string} options.appId Parse application id
   * @param {string} options.masterKey Parse master key
   * @param {boolean|{ca: string|Buffer}} [options.tls=false] plaintext, TLS with system roots, or TLS with a CA
   * @param {number} [options.deadlineMs=30000] how long one batch may take
   * @param {string[]} [options.pushTypes] device types to accept instead of the gateway's
   * @param {{warn: Function}} [options.logger=console] where whole-batch failures are reported
   */
  constructor(options) {
    const settings = validateOptions(options);
    this.address = settings.address;
    this.deadlineMs = settings.deadlineMs;
    this.pushTypes = settings.pushTypes;
    // Kept off enumerable properties so logging or inspecting the adapter (Parse
    // Server prints its options in verbose mode) cannot reveal the master key.
    Object.defineProperty(this, 'credentials', {
      value: Object.freeze({ appId: settings.appId, masterKey: settings.masterKey }),
      enumerable: false,
    });
    Object.defineProperty(this, 'logger', { value: settings.logger, enumerable: false });
    const PushService = pushServiceClient();
    Object.defineProperty(this, 'client', {
      value: new PushService(settings.address, credentialsFor(settings.tls), {
        'grpc.primary_user_agent': `parse-push-gateway-adapter/${version}`,
      }),
      enumerable: false,
    });
    this.closed = false;
  }

  /** The Parse deviceTypes this adapter delivers; Parse refuses pushes to others. */
  getValidPushTypes() {
    return [...this.pushTypes];
  }

  /**
   * Delivers one Parse batch. Always resolves, with one result per installation in
   * order: `{ transmitted, device: { deviceType, deviceToken }, response?: { error } }`.
   * A failed call resolves with every device failed, since a rejection would leave
   * Parse's `_PushStatus` stuck in "running".
   */
  async send(body, installations, pushStatusId) {
    if (!Array.isArray(installations) || installations.length === 0) {
      return [];
    }
    const parts = chunk(installations, MAX_DEVICES_PER_CALL);
    const results = await Promise.all(
      parts.map(part => this.deliver(body, part, pushStatusId).catch(error => this.unexpectedFailure(part, error)))
    );
    return results.flat();
  }

  /** Closes the gRPC channel; later sends fail their devices at once. */
  close() {
    this.closed = true;
    this.client.close();
  }

  async deliver(body, installations, pushStatusId) {
    if (this.closed) {
      return allFailed(installations, 'push gateway adapter is closed');
    }
    const request = buildDeliverBatchRequest({
      appId: this.credentials.appId,
      body,
      installations,
      pushStatusId,
    });
    const { error, response } = await this.callDeliverBatch(request);
    if (error) {
      const message = this.describeCallError(error);
      this.logger.warn(
        `parse-push-gateway-adapter: ${installations.length} devices of push ${String(pushStatusId)} not delivered: ${message}`
      );
      return allFailed(installations, message);
    }
    return resultsFromResponse(response, installations, this.secrets());
  }

  /** A bug or unusable input (e.g. `data` that is not JSON-serialisable) still yields results. */
  unexpectedFailure(installations, error) {
    const message = redact(`push gateway adapter error: ${error && error.message ? error.message : error}`, this.secrets());
    this.logger.warn(`parse-push-gateway-adapter: ${installations.length} devices not delivered: ${message}`);
    return allFailed(installations, message);
  }

  /** Runs the RPC; resolves `{ error }` or `{ response }`, never rejects, never outlives the deadline. */
  callDeliverBatch(request) {
    return new Promise(resolve => {
      let call;
      let settled = false;
      const finish = (error, response) => {
        if (!settled) {
          settled = true;
          clearTimeout(guard);
          resolve({ error, response });
        }
      };
      const guard = setTimeout(() => {
        if (call) {
          call.cancel();
        }
        finish({ code: grpc.status.DEADLINE_EXCEEDED, details: `no answer within ${this.deadlineMs} ms` });
      }, this.deadlineMs + GUARD_MARGIN_MS);
      try {
        call = this.client.DeliverBatch(request, this.metadata(), { deadline: Date.now() + this.deadlineMs }, finish);
      } catch (error) {
        finish(error);
      }
    });
  }

  metadata() {
    const metadata = new grpc.Metadata();
    metadata.set('x-parse-application-id', this.credentials.appId);
    metadata.set('x-parse-master-key', this.credentials.masterKey);
    return metadata;
  }

  secrets() {
    return [this.credentials.masterKey];
  }

  /**
   * `push gateway unavailable: UNAVAILABLE <details>` when the gateway could not be
   * reached or did not answer in time, `push gateway refused the batch: <STATUS> <details>`
   * when it answered with an error; never contains the master key.
   */
  describeCallError(error) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    const details = String(error.details || error.message || error).trim();
    if (code === undefined) {
      return redact(`push gateway call failed: ${details}`, this.secrets());
    }
    const prefix = UNREACHABLE_CODES.has(code) ? 'push gateway unavailable' : 'push gateway refused the batch';
    return redact(`${prefix}: ${statusName(code)} ${details}`, this.secrets());
  }
}

GatewayPushAdapter.DEFAULT_PUSH_TYPES = DEFAULT_PUSH_TYPES;

// `module.exports` is the class itself so Parse Server's adapter loader can also take
// `{ module: 'parse-push-gateway-adapter', options: {...} }`.
module.exports = GatewayPushAdapter;
module.exports.GatewayPushAdapter = GatewayPushAdapter;
module.exports.default = GatewayPushAdapter;
