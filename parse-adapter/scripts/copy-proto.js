'use strict';

// `npm pack` / `npm publish` helper. The .proto contract lives once in the repository
// (../proto/src/main/proto/push); a published package has no such sibling directory,
// so prepack copies it to ./proto/push and postpack removes the copy again, keeping
// the working tree free of a second, drifting copy.
//
//   node scripts/copy-proto.js          copy
//   node scripts/copy-proto.js --clean  remove the copy

const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');
const source = path.join(packageRoot, '..', 'proto', 'src', 'main', 'proto', 'push');
const target = path.join(packageRoot, 'proto');

fs.rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!fs.existsSync(source)) {
    console.error(`copy-proto: ${source} not found; pack from a checkout of the repository`);
    process.exit(1);
  }
  fs.cpSync(source, path.join(target, 'push'), {
    recursive: true,
    filter: file => fs.statSync(file).isDirectory() || file.endsWith('.proto'),
  });
}
