import type { Floats } from './floats';
import type { Precision } from './wasm';

/**
 * int32 values kept in an arena's float memory: a pass's list of its rows' addresses and an
 * epoch's order of the staged rows (batch.ts), a row chain's plan (chain.ts).
 */

/** The int32 view of a heap's memory. */
export function intsOf(heap: Floats): Int32Array {
  return new Int32Array(heap.buffer, heap.byteOffset, (heap.length * heap.BYTES_PER_ELEMENT) / 4);
}

/** Elements of an arena of `precision` that hold n int32 values. */
export function int32Room(n: number, precision: Precision): number {
  return Math.ceil((n * 4) / (precision === 'float32' ? 4 : 8));
}
