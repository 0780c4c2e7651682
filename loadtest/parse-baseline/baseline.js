// Parse Server's own push path, for the parse-baseline scenario of loadtest/: the real
// Parse Server with its stock @parse/push-adapter, aimed at the benchmark's local APNs
// endpoint. Parse Server comes from parse-adapter/node_modules (pinned there by the lockfile,
// installed with `npm ci --prefix parse-adapter`); the adapter, Express and the MongoDB driver
// are the very copies that Parse Server itself loads. Two modes:
//   server   starts Parse Server; prints "parse-server listening on <port>"
//   adapter  hands the installations straight to the stock adapter, in Parse's batches of
//            100, and prints "adapter sent <n> of <m> in <ms> ms, cpu <ms> ms, rss <kB> kB after
//            loading, peak <kB> kB"
// Configured by the environment: BASELINE_MONGO_URI, BASELINE_APP_ID, BASELINE_MASTER_KEY,
// BASELINE_P12, BASELINE_P12_PASSWORD, BASELINE_TOPIC, BASELINE_APNS_PORT, BASELINE_CA.
'use strict';
// No ./logs folder from Parse Server in the working directory.
if (process.env.PARSE_SERVER_LOGS_FOLDER === undefined) {
  process.env.PARSE_SERVER_LOGS_FOLDER = 'null';
}
const path = require('path');
const fs = require('fs');
const { createRequire } = require('module');

const parseServerPackage = path.resolve(__dirname, '..', '..', 'parse-adapter', 'node_modules', 'parse-server',
  'package.json');
// Resolves a package as Parse Server does, so the adapter measured is the one it ships with.
const load = createRequire(parseServerPackage);

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
};

// Handed by the adapter to node-apn. The stand-in's certificate names localhost, so the
// connection to 127.0.0.1 checks it under that name against the stand-in's CA, in full.
const ios = {
  pfx: fs.readFileSync(env('BASELINE_P12')),
  passphrase: env('BASELINE_P12_PASSWORD'),
  topic: env('BASELINE_TOPIC'),
  production: true,
  address: '127.0.0.1',
  port: Number(env('BASELINE_APNS_PORT')),
  servername: 'localhost',
  ca: [fs.readFileSync(env('BASELINE_CA'))],
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

/** The Apple installations with the fields Parse Server would hand the adapter. */
async function appleInstallations() {
  const { MongoClient } = load('mongodb');
  const client = await MongoClient.connect(env('BASELINE_MONGO_URI'));
  try {
    return await client.db().collection('_Installation').find({ deviceType: 'ios' })
      .project({ _id: 0, deviceType: 1, deviceToken: 1, appIdentifier: 1 }).toArray();
  } finally {
    await client.close();
  }
}

async function adapter() {
  const { ParsePushAdapter } = load('@parse/push-adapter');
  const devices = await appleInstallations();
  const push = new ParsePushAdapter({ ios });
  // What the installation list alone holds, apart from what sending them adds.
  const loadedKb = Math.round(process.memoryUsage().rss / 1024);
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  let sent = 0;
  // Parse's batches of 100, one at a time, each awaited: node-apn opens an HTTP/2 stream per
  // device with no flow control of its own, and thousands handed over at once have failed.
  for (let from = 0; from < devices.length; from += 100) {
    const results = await push.send({ data: { alert: 'baseline' } }, devices.slice(from, from + 100));
    sent += results.filter((r) => r.transmitted).length;
    if (from === 0 && sent === 0) {
      process.stderr.write(`first batch failed: ${JSON.stringify(results[0])}\n`);
    }
  }
  const millis = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMillis = Math.round((cpu.user + cpu.system) / 1000);
  const peakKb = process.resourceUsage().maxRSS;
  process.stdout.write(`adapter sent ${sent} of ${devices.length} in ${millis} ms, cpu ${cpuMillis} ms, `
    + `rss ${loadedKb} kB after loading, peak ${peakKb} kB\n`);
  process.exit(0);
}

(process.argv[2] === 'adapter' ? adapter() : server()).catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
