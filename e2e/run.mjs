// Runs the smoke suite with node:test, prints the spec report and a closing
// summary line "N passed, N failed". Exit status 1 when anything failed.
//
//   node run.mjs [test files...]     (default: every tests/*.test.mjs)
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(here, 'tests'))
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => join(here, 'tests', f));

let passed = 0;
let failed = 0;
let skipped = 0;

// One file at a time: the tests drive one server and share its state.
const stream = run({ files, concurrency: 1 });
stream.on('test:pass', (data) => {
  if (data.details?.type === 'suite') return;
  if (data.skip || data.todo) skipped += 1;
  else passed += 1;
});
stream.on('test:fail', (data) => {
  if (data.details?.type === 'suite') return;
  failed += 1;
});

stream.compose(spec).pipe(process.stdout);

await new Promise((resolve) => stream.once('end', resolve));
// Let the reporter flush before the summary.
await new Promise((resolve) => setImmediate(resolve));

if (passed + failed === 0) {
  console.log('no tests ran');
  failed = 1;
}
if (skipped > 0) console.log(`(${skipped} skipped)`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
