// Parse Server's own push path, for the parse-baseline scenario of loadtest/: the real
// Parse Server with its stock @parse/push-adapter (both from parse-adapter/node_modules),
// aimed at the benchmark's local APNs endpoint. Two modes:
//   server   starts Parse Server; prints "parse-server listening on <port>"
//   adapter  hands the installations straight to the stock adapter, in Parse's batches of
//            100, and prints "adapter sent <n> in <ms> ms"
// Configured by the environment: BASELINE_MONGO_URI, BASELINE_APP_ID, BASELINE_MASTER_KEY,
// BASELINE_P12, BASELINE_P12_PASSWORD, BASELINE_TOPIC, BASELINE_APNS_PORT, BASELINE_CA.
'use strict';
// No ./logs folder from Parse Server in the working directory.
if (process.env.PARSE_SERVER_LOGS_FOLDER === undefined) {
  process.env.PARSE_SERVER_LOGS_FOLDER = 'null';
}
const path = require('path');
const fs = require('fs');
const modules = path.resolve(__dirname, '..', '..', 'parse-adapter', 'node_modules');
const load = (name) => require(path.join(modules, name));

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
};

const ios = {
  pfx: fs.readFileSync(env('BASELINE_P12')),
  passphrase: env('BASELINE_P12_PASSWORD'),
  topic: env('BASELINE_TOPIC'),
  production: true,
  address: '127.0.0.1',
  port: Number(env('BASELINE_APNS_PORT')),
  ca: [fs.readFileSync(env('BASELINE_CA'))],
  rejectUnauthorized: false,
};

async function server() {
  const express = load('express');
  const { ParseServer } = load('parse-server');
  const api = new ParseServer({
    databaseURI: env('BASELINE_MONGO_URI'),
    appId: env('BASELINE_APP_ID'),
    masterKey: env('BASELINE_MASTER_KEY'),
    serverURL: 'http://127.0.0.1:1/parse',
    push: { ios },
    silent: true,
  });
  await api.start();
  const app = express();
  app.use('/parse', api.app);
  const listener = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`parse-server listening on ${listener.address().port}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

async function adapter() {
  const { ParsePushAdapter } = load('@parse/push-adapter');
  const { MongoClient } = load('mongodb');
  const client = await MongoClient.connect(env('BASELINE_MONGO_URI'));
  const installations = await client.db().collection('_Installation')
    .find({ deviceType: 'ios' }).project({ deviceType: 1, deviceToken: 1, appIdentifier: 1 }).toArray();
  await client.close();
  const push = new ParsePushAdapter({ ios });
  const devices = installations.map((i) => ({ deviceType: i.deviceType, deviceToken: i.deviceToken,
    appIdentifier: i.appIdentifier }));
  const started = Date.now();
  let sent = 0;
  for (let from = 0; from < devices.length; from += 100) {
    const results = await push.send({ data: { alert: 'baseline' } }, devices.slice(from, from + 100));
    sent += results.filter((r) => r.transmitted).length;
    if (from === 0 && sent === 0) {
      process.stderr.write(`first batch failed: ${JSON.stringify(results[0])}\n`);
    }
  }
  process.stdout.write(`adapter sent ${sent} in ${Date.now() - started} ms\n`);
  process.exit(0);
}

(process.argv[2] === 'adapter' ? adapter() : server()).catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
