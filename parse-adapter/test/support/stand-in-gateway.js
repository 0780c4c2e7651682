'use strict';

// Helpers for the adapter tests: a stand-in for the gateway's DeliverBatch on
// 127.0.0.1 and a port nobody listens on. Not a test itself (`node --test test/` runs
// every .js file under test/, so this file is loaded as one and passes trivially).

const net = require('node:net');
const grpc = require('@grpc/grpc-js');
const { pushServiceClient } = require('../../src/proto');

const APP_ID = 'test-app';
const MASTER_KEY = 'test-master-key-s3cr3t';

/**
 * Starts a gRPC server whose DeliverBatch runs `handler(call)`. The handler returns
 * the response (or throws a `{ code, details }` error); returning `undefined` leaves
 * the call unanswered. Every call is recorded with its request and metadata.
 */
async function startStandInGateway(handler) {
  const server = new grpc.Server();
  const calls = [];
  const pending = [];
  server.addService(pushServiceClient().service, {
    DeliverBatch(call, callback) {
      const metadata = {
        appId: call.metadata.get('x-parse-application-id'),
        masterKey: call.metadata.get('x-parse-master-key'),
      };
      calls.push({ request: call.request, metadata });
      try {
        const response = handler(call.request, metadata);
        if (response === undefined) {
          pending.push(callback);
          return;
        }
        callback(null, response);
      } catch (error) {
        callback(error);
      }
    },
  });
  const port = await new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound)
    );
  });
  return {
    address: `127.0.0.1:${port}`,
    calls,
    stop() {
      server.forceShutdown();
    },
    pendingCount: () => pending.length,
  };
}

/** Answers like the real gateway: checks the credentials, then one outcome per device. */
function authenticated(outcomesFor) {
  return (request, metadata) => {
    if (metadata.appId[0] !== APP_ID || metadata.masterKey[0] !== MASTER_KEY) {
      throw { code: grpc.status.UNAUTHENTICATED, details: 'wrong application id or master key' };
    }
    return { outcomes: request.devices.map(outcomesFor) };
  };
}

/** A 127.0.0.1 port that was free a moment ago and has no listener now. */
async function closedPort() {
  const server = net.createServer();
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

module.exports = { startStandInGateway, authenticated, closedPort, APP_ID, MASTER_KEY };
