'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PACKAGE_ROOT = path.resolve(__dirname, '..');

// A published package carries its own copy of the contract (made by `npm pack`'s
// prepack step); inside the repository the adapter reads the one true copy instead,
// so the two can never drift apart during development.
const PROTO_ROOT_CANDIDATES = [
  path.join(PACKAGE_ROOT, 'proto'),
  path.join(PACKAGE_ROOT, '..', 'proto', 'src', 'main', 'proto'),
];

// keepCase: message fields keep their .proto spelling (snake_case, e.g.
// `parse_push_status_id`, `token_removed`), so the code reads like the contract.
// longs/enums as strings: int64 counters never lose precision and enum values are
// their .proto names (`OUTCOME_KIND_SENT`), not numbers that could shift.
// defaults: absent proto3 fields come back as '', 0, false, so no undefined checks.
// oneofs: decoded messages also name which member of a oneof is set.
// The google.protobuf well-known types the contract imports (Timestamp, Duration,
// Struct) are bundled with proto-loader and resolved without an include path.
const LOADER_OPTIONS = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** The include root holding `push/v1/*.proto`: the packaged copy first, else the repository's. */
function findProtoRoot(candidates = PROTO_ROOT_CANDIDATES) {
  for (const root of candidates) {
    if (fs.existsSync(path.join(root, 'push', 'v1'))) {
      return root;
    }
  }
  throw new Error(
    'push gateway adapter: cannot find the push/v1 .proto files; looked in ' + candidates.join(', ')
  );
}

/** Every .proto file of push/v1, relative to the include root (as the imports name them). */
function protoFiles(root) {
  return fs
    .readdirSync(path.join(root, 'push', 'v1'))
    .filter(name => name.endsWith('.proto'))
    .sort()
    .map(name => `push/v1/${name}`);
}

let cachedServiceClient;

/** The generated client constructor for `push.v1.PushService`, loaded once per process. */
function pushServiceClient() {
  if (!cachedServiceClient) {
    const root = findProtoRoot();
    const definition = protoLoader.loadSync(protoFiles(root), {
      ...LOADER_OPTIONS,
      includeDirs: [root],
    });
    cachedServiceClient = grpc.loadPackageDefinition(definition).push.v1.PushService;
  }
  return cachedServiceClient;
}

module.exports = { pushServiceClient, findProtoRoot, protoFiles, LOADER_OPTIONS, PROTO_ROOT_CANDIDATES };
