/**
 * The gradients a hover shows, checked against PyTorch: a probed 2-3-2 network, hovered over
 * the server's real protocol; every dE/dwⱼₖ and every factor of the chain rule's
 * (g(z_k) − t_k) · g'(z_k) · x_j in the hover equals torch autograd's value to the digits shown.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { oracle, requireTorch, type OracleProbe } from '../oracle/oracle';
import { hoverText, LspClient, positionOf } from '../support/lsp';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

const W1 = [[0.3, -0.8, 0.5], [1.1, 0.2, -0.4]];
const b1 = [0.05, -0.1, 0.2];
const W2 = [[0.7, -1.2], [-0.3, 0.9], [1.5, 0.4]];
const b2 = [0.1, -0.05];
const x = [0.6, -1.3];
const t = [1, 0];

const text = `network n {
  input x[2]
  dense h[3] tanh
  dense y[2] sigmoid
  loss squared_error
  weights h = ${JSON.stringify(W1)}
  bias h = ${JSON.stringify(b1)}
  weights y = ${JSON.stringify(W2)}
  bias y = ${JSON.stringify(b2)}
}
probe n ${JSON.stringify(x)} -> ${JSON.stringify(t)}
`;

/** Two shown numbers agree when they round alike at 6 significant digits (allowing one unit of the last). */
function agrees(shown: number, exact: number): boolean {
  return Math.abs(shown - exact) <= 1e-5 * Math.max(Math.abs(exact), 1e-12) + 1e-12;
}

test('hover on the output layer: dE/dw and its factors equal torch autograd', async () => {
  requireTorch();
  const [truth] = oracle([{
    kind: 'probe', inputs: 2, loss: 'squared_error', x, t,
    layers: [
      { units: 3, activation: 'tanh', params: [], bias: true, W: W1, b: b1 },
      { units: 2, activation: 'sigmoid', params: [], bias: true, W: W2, b: b2 },
    ],
  }]) as OracleProbe[];
  const uri = 'file:///oracle-hover.netspec';
  await client.open(uri, text, 1);
  assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics, []);

  const out = hoverText(await client.hover(uri, positionOf(text, 'dense y', 6)));
  // The weight's indices are Unicode subscripts (w₁,₀); the output layer reads h, so its input is aⱼ.
  assert.match(out, /dE\/dwⱼₖ = \(g\(zₖ\) − tₖ\) · g'\(zₖ\) · aⱼ/, out);
  const digits = (s: string) => Number([...s].map((c) => c.charCodeAt(0) - 0x2080).join(''));
  const rows = [...out.matchAll(/\| w([₀-₉]+),([₀-₉]+) \| (\S+) \| (\S+) \| (\S+) \| (\S+) \|/g)].map(([all, j, k, ...rest]) => [all, digits(j), digits(k), ...rest] as const);
  assert.equal(rows.length, 6, out);
  const o = truth.layers[1];
  for (const [, j, k, err, gp, xj, dw] of rows) {
    const J = j;
    const K = k;
    assert.ok(agrees(Number(err), o.y[K] - t[K]), `g(z_k) − t_k at ${j},${k}: ${err} vs ${o.y[K] - t[K]}`);
    assert.ok(agrees(Number(gp), o.gprime![K]), `g'(z_k) at ${j},${k}: ${gp} vs ${o.gprime![K]}`);
    assert.ok(agrees(Number(xj), o.x[J]), `a_j at ${j},${k}: ${xj} vs ${o.x[J]}`);
    assert.ok(agrees(Number(dw), o.dW[J][K]), `dE/dw at ${j},${k}: ${dw} vs ${o.dW[J][K]}`);
  }

  const hidden = hoverText(await client.hover(uri, positionOf(text, 'dense h', 6)));
  const delta = /δ = dE\/dz = `\[([^\]]+)\]`/.exec(hidden);
  assert.ok(delta, hidden);
  delta[1].split(', ').map(Number).forEach((d, i) => assert.ok(agrees(d, truth.layers[0].delta[i]), `delta_${i}: ${d} vs ${truth.layers[0].delta[i]}`));
  const table = [...hidden.matchAll(/^\| (\d) \| (.+) \|$/gm)];
  assert.equal(table.length, 2, hidden);
  for (const [, j, cells] of table) {
    cells.split(' | ').map(Number).forEach((v, k) => assert.ok(agrees(v, truth.layers[0].dW[Number(j)][k]), `dW[${j}][${k}]: ${v} vs ${truth.layers[0].dW[Number(j)][k]}`));
  }
});
