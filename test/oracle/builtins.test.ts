/**
 * The oracle knows every built-in of the engine's list (server/src/engine/activations.ts), so the
 * other oracle tests, which iterate that list, can check each one. torch_oracle.py is written
 * independently of the engine (torch's and mpmath's own functions, never the engine's formulas),
 * so a new built-in needs its entries there by hand; these failures say which and where.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_NAMES, SCALAR_FUNCTIONS } from '../../server/src/engine/activations';
import { scalarNamesWithAliases } from '../support/builtins';
import { oracle, type OracleFunctions } from './oracle';

const ORACLE = 'test/oracle/torch_oracle.py';

let known: OracleFunctions | undefined;
const functions = () => (known ??= oracle([{ kind: 'functions' }])[0] as OracleFunctions);

test(`${ORACLE} computes every scalar built-in and alias, in torch and in mpmath`, () => {
  const { torch, mp } = functions();
  const names = scalarNamesWithAliases();
  const missing = [
    ...names.filter((n) => !torch.includes(n)).map((n) => `${ORACLE} has no \`${n}\` in TorchOps: add it, written with torch's own functions (autograd gives f' and f'')`),
    ...names.filter((n) => !mp.includes(n)).map((n) => `${ORACLE} has no \`${n}\` in MpOps: add it, with f, f' and f'' as closed forms in mpmath (Jet.apply)`),
  ];
  assert.deepEqual(missing, []);
  const extra = [...new Set([...torch, ...mp])].filter((n) => !(names as string[]).includes(n));
  assert.deepEqual(extra, [], `${ORACLE} has functions that are not built-ins of server/src/engine/activations.ts`);
});

test(`${ORACLE}'s default parameters are the engine's`, () => {
  const { defaults } = functions();
  const found: string[] = [];
  for (const f of SCALAR_FUNCTIONS.filter((g) => g.params.length > 0)) {
    if (f.params.length > 1) found.push(`\`${f.name}\` has ${f.params.length} parameters; DEFAULT_PARAMS in ${ORACLE} holds one per function`);
    else if (!(f.name in defaults)) found.push(`${ORACLE} has no \`${f.name}\` in DEFAULT_PARAMS (the engine's default: ${f.params[0].default})`);
    else if (defaults[f.name] !== f.params[0].default) found.push(`${ORACLE}'s DEFAULT_PARAMS says ${defaults[f.name]} for \`${f.name}\`, the engine ${f.params[0].default}`);
  }
  assert.deepEqual(found, []);
});

test(`${ORACLE}'s user fns do not have the names of built-ins (the oracle would take the fn for the built-in)`, () => {
  const clash = functions().user.filter((n) => (BUILTIN_NAMES as readonly string[]).includes(n));
  assert.deepEqual(clash, [], `rename these in USER_FNS of ${ORACLE} and in the tests that define them in NetSpec`);
});
