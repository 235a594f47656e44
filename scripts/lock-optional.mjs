// npm ci refuses a lock whose packages name optional dependencies it has no entry for, and npm
// install leaves those out when the registry has no such package: node-llama-cpp (a test-time
// dev dependency) lists prebuilt binaries for every platform, and the registry this project
// installs from serves only some of them. This drops, from each package's optionalDependencies
// in package-lock.json, the ones the lock has no entry for. Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const present = new Set(
  Object.keys(lock.packages).map((k) => k.slice(k.lastIndexOf('node_modules/') + 13)),
);
let dropped = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!key || !pkg.optionalDependencies) continue;
  for (const dep of Object.keys(pkg.optionalDependencies))
    if (!present.has(dep)) {
      delete pkg.optionalDependencies[dep];
      dropped++;
    }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional: dropped ${dropped} optional dependencies the lock has no entry for`);
