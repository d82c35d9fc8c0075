// Golden translation cases, Envoy Gateway style: testdata/<case>.in.yaml holds
// the objects a user applies, <case>.out.yaml the IR and the status translation
// must produce. `UPDATE_GOLDEN=1 npx ava test/gateway/translate` rewrites the
// outputs; review every diff by eye before committing it.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { translate } from '../../../gateway/translate/index.js';
import { readCaseInput, renderOutput } from './golden-io.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const options = { controllerName: 'agw-workshop.dev/gateway-controller', now: '2026-02-01T00:00:00Z' };
const cases = fs.readdirSync(testdata).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).sort();

test('there are golden cases', (t) => {
  t.true(cases.length > 0);
});

for (const name of cases) {
  test(`golden: ${name}`, (t) => {
    const input = readCaseInput(path.join(testdata, `${name}.in.yaml`));
    const actual = renderOutput(translate(input, options));
    const outFile = path.join(testdata, `${name}.out.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.writeFileSync(outFile, actual);
      t.pass();
      return;
    }
    t.true(fs.existsSync(outFile), `${outFile} is missing: run UPDATE_GOLDEN=1 and review it`);
    t.is(actual, fs.readFileSync(outFile, 'utf8'));
  });

  test(`golden: ${name} is deterministic and never throws on a shuffled snapshot`, (t) => {
    const input = readCaseInput(path.join(testdata, `${name}.in.yaml`));
    const first = translate(input, options);
    for (const key of Object.keys(input) as (keyof typeof input)[]) input[key]?.reverse();
    const second = translate(input, options);
    t.deepEqual(second.gateways.map((g) => g.version), first.gateways.map((g) => g.version));
  });
}
