import type { Floats } from './floats';
import type { Precision } from './wasm';

/**
 * Rows of at least this many values are copied by one call (copyWithin, TypedArray.set); shorter
 * ones element by element, cheaper than the call (and than the subarray a set needs).
 */
export const ROW_COPY_MIN = 32;

/**
 * Rows r0 … r1−1 of a gather: dst_r ← src_{idx[from + r]}, rows of `stride` elements, where idx is
 * the int32 list at element offset `order` of the same memory (`ints` views it). A copy, so no
 * value changes; each row is written by whichever thread has r, so threads may share the rows.
 */
export function gatherRows(heap: Floats, ints: Int32Array, dst: number, src: number, stride: number, order: number, r0: number, r1: number, from = 0): void {
  const at = (order * heap.BYTES_PER_ELEMENT) / 4 + from;
  for (let r = r0; r < r1; r++) {
    const s = src + ints[at + r] * stride;
    const d = dst + r * stride;
    if (stride >= ROW_COPY_MIN) heap.copyWithin(d, s, s + stride);
    else for (let j = 0; j < stride; j++) heap[d + j] = heap[s + j];
  }
}

/** The int32 view of a heap's memory that `gatherRows` reads its list from. */
export function intsOf(heap: Floats): Int32Array {
  return new Int32Array(heap.buffer, heap.byteOffset, (heap.length * heap.BYTES_PER_ELEMENT) / 4);
}

/** Elements of an arena of `precision` that hold n int32 values. */
export function int32Room(n: number, precision: Precision): number {
  return Math.ceil((n * 4) / (precision === 'float32' ? 4 : 8));
}
