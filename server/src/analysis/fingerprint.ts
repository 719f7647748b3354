import type { Activation, Network } from '../engine/network';

/**
 * A network's fingerprint: a digest of everything that makes it the function it is — the input
 * width, each layer's name, shape, bias flag and activation, the loss, the parameters, and any
 * other data field the engine's Network carries (an input transform, say) — and nothing of the
 * text it was written in. Two networks with the same fingerprint compute the same thing.
 *
 * Taken of a network as the file builds it (its initial or explicit parameters), it names the
 * network's *definition*: trained parameters are kept with the fingerprint of the definition
 * they were trained from, and applied only to a network with that fingerprint, so an edit to
 * the layers, an activation, the init or the explicit weights drops them even when the shapes
 * still match. Taken of a network with trained parameters, it names those too (what a gradient
 * check was run on).
 */
export function fingerprint(net: Network): string {
  const h = new Digest();
  const { name: _name, layers, ...rest } = net;
  h.text(json(rest));
  // Derived features are closures too (the lets they read are inside): their values at a few inputs.
  if (net.features) {
    const out = new Float64Array(net.features.texts.length);
    for (const z of SAMPLE_Z) {
      net.features.compute(Array.from({ length: net.inputs }, (_, j) => z + 0.37 * j), out);
      h.numbers(out);
    }
  }
  for (const layer of layers) {
    const { activation, W, b, ...shape } = layer;
    h.text(json(shape));
    activationInto(h, activation);
    h.numbers(W);
    h.numbers(b);
  }
  return h.hex();
}

/**
 * Points at which an activation's values enter the fingerprint. A scalar activation is a closure
 * (its parameters, a `fn`'s body, the `let`s that body reads are all inside it), so its name is
 * not enough: `leaky_relu(0.1)` and `leaky_relu(0.2)` share one. Its values at these points,
 * spread over both sides of 0 and away from round numbers, tell such functions apart.
 */
const SAMPLE_Z = [-6.1, -2.3, -0.71, -0.13, 0, 0.17, 0.59, 1.9, 5.3];

function activationInto(h: Digest, a: Activation): void {
  h.text(a.kind === 'softmax' ? 'softmax' : `${a.name}/${a.builtin ?? ''}`);
  if (a.kind === 'softmax') return;
  for (const z of SAMPLE_Z) {
    const y = a.value(z);
    h.number(y);
    h.number(a.derivative(z, y));
  }
}

/** JSON with typed arrays as plain arrays (a Float64Array would otherwise become an object of indices). */
function json(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v));
}

/**
 * A 64-bit digest as two independent 32-bit multiplicative hashes (cyrb53's mixing): not
 * cryptographic, but two definitions a person writes never collide by chance. Numbers enter
 * by their exact bits, so 0.1 and 0.1 + 1e-17 differ.
 */
class Digest {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  private word(x: number): void {
    this.h1 = Math.imul(this.h1 ^ x, 2654435761);
    this.h2 = Math.imul(this.h2 ^ x, 1597334677);
  }

  number(x: number): void {
    this.f64[0] = x;
    this.word(this.u32[0]);
    this.word(this.u32[1]);
  }

  numbers(xs: ArrayLike<number>): void {
    this.word(xs.length);
    for (let i = 0; i < xs.length; i++) this.number(xs[i]);
  }

  text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  hex(): string {
    let h1 = Math.imul(this.h1 ^ (this.h1 >>> 16), 2246822507);
    h1 ^= Math.imul(this.h2 ^ (this.h2 >>> 13), 3266489909);
    let h2 = Math.imul(this.h2 ^ (this.h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    h1 ^= Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
  }
}
