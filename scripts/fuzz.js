#!/usr/bin/env node
// The long fuzz run: the property tests of test/fuzz/ with many more cases than the suite runs.
//   npm run fuzz                                   100,000 cases in all, a fresh random seed
//   NETSPEC_FUZZ_RUNS=5000 npm run fuzz            fewer (or more) cases
//   NETSPEC_FUZZ_SEED=123456 npm run fuzz          replay a run: the seed is printed first
// A failure prints fast-check's counterexample, shrunk, with its seed and path.
const { execSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.chdir(root);
execSync('node esbuild.js', { stdio: 'inherit' });

const env = { ...process.env };
env.NETSPEC_FUZZ_RUNS ??= '100000';
env.NETSPEC_FUZZ_SEED ??= String((Math.random() * 2 ** 31) | 0);
console.log(`fuzz: NETSPEC_FUZZ_RUNS=${env.NETSPEC_FUZZ_RUNS} NETSPEC_FUZZ_SEED=${env.NETSPEC_FUZZ_SEED}`);

const dir = path.join('out', 'test', 'fuzz');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
// One file at a time, no timeout: a long run is long by design.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env });
console.log(`fuzz: ${r.status === 0 ? 'nothing found' : 'FAILED'} (NETSPEC_FUZZ_RUNS=${env.NETSPEC_FUZZ_RUNS} NETSPEC_FUZZ_SEED=${env.NETSPEC_FUZZ_SEED})`);
process.exit(r.status ?? 1);
