/**
 * The hover plot (analysis/plot.ts): a well-formed, small, self-contained SVG for any function a
 * user can write (constants, NaN on half the domain, values near 1e308, poles, functions that
 * throw), its data URI and Markdown, and the softmax Jacobian table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarFunction } from '../../server/src/engine/activations';
import { softmax, softmaxJacobian } from '../../server/src/engine/softmax';
import { markdownImage, plotFunction, plotJacobianTable, svgDataUri, yRange, type PlotOptions } from '../../server/src/analysis/plot';
import { parseXml, type Element } from '../support/xml';

/** Every number in the path data and shapes, with the SVG's size, to check they are on it. */
function coordinates(els: Element[]): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const e of els) {
    if (e.name === 'circle') {
      xs.push(Number(e.attrs.cx));
      ys.push(Number(e.attrs.cy));
    }
    if (e.name === 'path' && (e.attrs.class === 'g' || e.attrs.class === 'dg')) {
      // The curves are "M x y x y …" pairs only.
      for (const piece of e.attrs.d.split('M').filter(Boolean)) {
        const nums = piece.trim().split(/\s+/).map(Number);
        assert.equal(nums.length % 2, 0, `odd coordinates in ${piece}`);
        for (let k = 0; k < nums.length; k += 2) {
          xs.push(nums[k]);
          ys.push(nums[k + 1]);
        }
      }
    }
  }
  return { xs, ys };
}

/** The common checks: well-formed, small, finite, two curves, everything on the canvas. */
function check(opts: PlotOptions): { svg: string; els: Element[]; curves: Element[] } {
  const svg = plotFunction(opts);
  const els = parseXml(svg);
  assert.equal(els[0].name, 'svg');
  assert.equal(els[0].attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.ok(svg.length < 8000, `${svg.length} bytes`);
  assert.ok(!/NaN|Infinity|undefined\d/.test(svg), 'no NaN or Infinity text');
  assert.ok(!/href|url\(|@import|<image|<script|<style/.test(svg), 'nothing outside itself');
  const curves = els.filter((e) => e.name === 'path' && (e.attrs.class === 'g' || e.attrs.class === 'dg'));
  assert.deepEqual(curves.map((c) => c.attrs.class), ['g', 'dg']);
  assert.ok(curves[1].attrs['stroke-dasharray'], "g' is dashed");
  assert.ok(!curves[0].attrs['stroke-dasharray'], 'g is solid');
  const width = Number(els[0].attrs.width);
  const height = Number(els[0].attrs.height);
  const { xs, ys } = coordinates(els);
  for (const x of xs) assert.ok(Number.isFinite(x) && x >= 0 && x <= width, `x = ${x}`);
  for (const y of ys) assert.ok(Number.isFinite(y) && y >= 0 && y <= height, `y = ${y}`);
  return { svg, els, curves };
}

const moves = (path: Element) => (path.attrs.d.match(/M/g) ?? []).length;
const sigmoid = scalarFunction('sigmoid')!;

// ---- the plot ---------------------------------------------------------------------------------

test('sigmoid with a marked point: two curves, two dots, a legend with the values', () => {
  const { svg, els, curves } = check({ f: (z) => sigmoid.value(z, []), df: (z) => sigmoid.nth(1, z, []), label: 'sigmoid', mark: 0.5 });
  assert.equal(moves(curves[0]), 1);
  assert.equal(moves(curves[1]), 1);
  // About 200 samples each.
  assert.ok(coordinates([curves[0]]).xs.length >= 190);
  const dots = els.filter((e) => e.name === 'circle');
  assert.deepEqual(dots.map((d) => d.attrs.class), ['mark', 'mark-d']);
  assert.equal(dots[0].attrs.cx, dots[1].attrs.cx);
  assert.ok(Number(dots[0].attrs.cy) < Number(dots[1].attrs.cy), 'g(0.5) = 0.62 is above g′(0.5) = 0.24');
  assert.match(svg, />sigmoid\(0\.5\) = 0\.6225</);
  assert.match(svg, />sigmoid′\(0\.5\) = 0\.235</);
  // Axes through 0 with integer ticks and a few labels.
  for (const label of ['−6', '−4', '−2', '0', '2', '4', '6']) assert.ok(svg.includes(`>${label}</text>`), label);
  // Coordinates carry one decimal at most.
  assert.ok(!/\d\.\d\d/.test(curves[0].attrs.d));
});

test('a constant function: a flat line inside the frame, its derivative on the axis', () => {
  const { curves, els } = check({ f: () => 2, df: () => 0, label: 'two' });
  const { ys } = coordinates([curves[0]]);
  assert.equal(new Set(ys).size, 1, 'flat');
  const height = Number(els[0].attrs.height);
  assert.ok(ys[0] > 20 && ys[0] < height - 20, 'visible, not on the edge');
  assert.ok(coordinates([curves[1]]).ys[0] > ys[0], '0 is below 2');
  check({ f: () => 0, df: () => 0, label: 'zero' });
  check({ f: () => 1e300, df: () => 0, label: 'huge' });
  check({ f: () => -7e9, df: () => -7e9, label: 'negative' });
});

test('NaN on half the domain: that half is skipped, the rest drawn', () => {
  const { curves } = check({ f: Math.log, df: (z) => (z < 0 ? NaN : 1 / z), label: 'log', mark: 1 });
  const { xs } = coordinates([curves[0]]);
  const { xs: all } = coordinates([check({ f: (z) => z, df: () => 1, label: 'z' }).curves[0]]);
  const middle = (Math.min(...all) + Math.max(...all)) / 2;
  assert.ok(xs.length > 80);
  assert.ok(Math.min(...xs) >= middle - 1, 'nothing left of 0');
});

test('a gap breaks the path instead of bridging it', () => {
  const { curves } = check({ f: (z) => (Math.abs(z) < 1 ? NaN : z), df: () => 1, label: 'gap' });
  assert.equal(moves(curves[0]), 2);
  // A pole: 1/z jumps from −∞ to +∞ at 0 and must not be joined by a vertical line.
  const pole = check({ f: (z) => 1 / z, df: (z) => -1 / (z * z), label: 'inv' }).curves[0];
  assert.ok(moves(pole) >= 2);
});

test('huge values: exp, exp(200 z) and values near 1e308 keep a readable range', () => {
  const { curves } = check({ f: Math.exp, df: Math.exp, label: 'exp', mark: 2 });
  // The curve spans most of the height: not squashed onto the axis by the largest value.
  const { ys } = coordinates([curves[0]]);
  assert.ok(Math.max(...ys) - Math.min(...ys) > 100);
  check({ f: (z) => Math.exp(200 * z), df: (z) => 200 * Math.exp(200 * z), label: 'steep' });
  check({ f: (z) => (z > 0 ? 1.7e308 : -1.7e308), df: () => 0, label: 'sign' });
  check({ f: (z) => z * 1e307, df: () => 1e307, label: 'big' });
  check({ f: () => Infinity, df: () => -Infinity, label: 'inf', mark: 0 });
});

test('hostile functions: throwing, non-numbers, oscillation, odd domains and sizes', () => {
  check({ f: () => { throw new Error('boom'); }, df: () => NaN, label: 'throws', mark: 1 });
  check({ f: () => 'x' as unknown as number, df: () => 0, label: 'string' });
  // Clipped at nearly every sample: still under the size limit.
  check({ f: (z) => Math.tan(40 * z), df: (z) => 40 / Math.cos(40 * z) ** 2, label: 'tan' });
  check({ f: (z) => Math.sin(z), df: Math.cos, label: 'sin', from: 100, to: 140, mark: 120 });
  check({ f: (z) => z, df: () => 1, label: 'tiny', from: 1e-9, to: 2e-9 });
  check({ f: (z) => z, df: () => 1, label: 'bad', from: 5, to: -5 });
  check({ f: (z) => z * z, df: (z) => 2 * z, label: 'wide', from: -1e6, to: 1e6, width: 600, height: 300 });
  check({ f: (z) => z, df: () => 1, label: 'small', width: 10, height: 10 });
  const { svg } = check({ f: (z) => z, df: () => 1, label: 'a<b & "c"' });
  assert.ok(svg.includes('a&lt;b &amp; &quot;c&quot;'));
});

test('yRange: the central 98%, 0 included when near, constants widened', () => {
  const values = [...Array.from({ length: 200 }, (_, i) => i / 100), 1e12];
  const [lo, hi] = yRange(values);
  assert.ok(hi < 3, `one outlier ignored: ${hi}`);
  assert.ok(lo < 0 && lo > -0.2);
  const [clo, chi] = yRange([3, 3, 3]);
  assert.ok(clo < 0 && chi > 3);
  const [nlo, nhi] = yRange([NaN, Infinity]);
  assert.ok(nlo < 0 && nhi > 0);
  const [flo, fhi] = yRange([100, 101]);
  assert.ok(flo > 90 && fhi < 102, 'far from 0: 0 is not forced in');
  const [blo, bhi] = yRange([-1.7e308, 1.7e308]);
  assert.ok(Number.isFinite(bhi - blo));
});

// ---- data URI and Markdown --------------------------------------------------------------------

test('svgDataUri is base64 of the UTF-8 text; markdownImage rescales and escapes', () => {
  const svg = plotFunction({ f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2, label: 'tanh′', mark: 1 });
  const uri = svgDataUri(svg);
  assert.match(uri, /^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64').toString('utf8'), svg);

  const md = markdownImage(svg, 'tanh [plot]', 180);
  const m = /^!\[(.*)\]\((data:image\/svg\+xml;base64,[^)]+)\)$/.exec(md);
  assert.ok(m, md.slice(0, 80));
  assert.equal(m[1], 'tanh \\[plot\\]');
  const resized = Buffer.from(m[2].slice(m[2].indexOf(',') + 1), 'base64').toString('utf8');
  assert.match(resized, /^<svg [^>]*width="180" height="110" viewBox="0 0 360 220"/);
  assert.equal(markdownImage(svg, 'plain'), `![plain](${uri})`);
});

// ---- the Jacobian table -----------------------------------------------------------------------

test('plotJacobianTable: headers, one row per output, diagonal p(1 − p)', () => {
  const p = softmax([1, 2, 3]);
  const J = softmaxJacobian(p);
  const table = plotJacobianTable(J, p);
  const lines = table.split('\n');
  assert.equal(lines.length, 2 + 3);
  assert.equal(lines[0], '| ∂pᵢ/∂zⱼ | z1 | z2 | z3 |');
  assert.equal(lines[1], '| --- | ---: | ---: | ---: |');
  const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
  for (let i = 0; i < 3; i++) {
    const row = cells(lines[2 + i]);
    assert.equal(row.length, 4);
    assert.equal(row[0], `p${i + 1} = ${Number(p[i].toPrecision(4))}`);
    for (let j = 0; j < 3; j++) {
      const want = p[i] * ((i === j ? 1 : 0) - p[j]);
      const text = row[j + 1].replace(/\*\*/g, '').replace('−', '-');
      assert.ok(Math.abs(Number(text) - want) <= 5e-4 * Math.abs(want), `${row[j + 1]} vs ${want}`);
      assert.equal(row[j + 1].startsWith('**'), i === j, 'the diagonal is bold');
    }
  }
  assert.equal(plotJacobianTable([], []), '');
  const big = softmax(Array.from({ length: 14 }, (_, i) => i / 3));
  const bigTable = plotJacobianTable(softmaxJacobian(big), big).split('\n');
  assert.equal(bigTable.length, 2 + 10 + 1, 'ten rows, then an ellipsis row');
  assert.equal(cells(bigTable[0]).length, 1 + 10 + 1);
  for (const line of bigTable) assert.equal(cells(line).length, 12, line);
});
