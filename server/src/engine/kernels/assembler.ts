/**
 * A small WebAssembly assembler: the encodings (LEB128 numbers, names, sections, vectors) and a
 * byte emitter for the instructions the kernels use (wasm.ts's product, tanh-simd.ts's tanh),
 * named as in the WebAssembly specification.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;
export const F64 = 0x7c;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export function name(s: string): number[] {
  const bytes = Array.from(s, (ch) => ch.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** The instructions the kernel needs, as byte emitters. */
export class Code {
  readonly bytes: number[] = [];
  private emit(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  get(i: number) { return this.emit(0x20, ...uleb(i)); }
  set(i: number) { return this.emit(0x21, ...uleb(i)); }
  tee(i: number) { return this.emit(0x22, ...uleb(i)); }
  i32(n: number) { return this.emit(0x41, ...sleb(n)); }
  add() { return this.emit(0x6a); }
  sub() { return this.emit(0x6b); }
  mul() { return this.emit(0x6c); }
  eqz() { return this.emit(0x45); }
  /** f64.div and f64.ne (scalar). */
  f64Div() { return this.emit(0xa3); }
  f64Ne() { return this.emit(0x62); }
  /** f64.const v. */
  f64(v: number) {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    return this.emit(0x44, ...new Uint8Array(d.buffer));
  }
  eq() { return this.emit(0x46); }
  shl() { return this.emit(0x74); }
  drop() { return this.emit(0x1a); }
  geS() { return this.emit(0x4e); }
  block() { return this.emit(0x02, 0x40); }
  loop() { return this.emit(0x03, 0x40); }
  if() { return this.emit(0x04, 0x40); }
  else() { return this.emit(0x05); }
  end() { return this.emit(0x0b); }
  br(depth: number) { return this.emit(0x0c, ...uleb(depth)); }
  brIf(depth: number) { return this.emit(0x0d, ...uleb(depth)); }
  /** i32.load with a constant byte offset (alignment hint 4). */
  i32Load(offset = 0) { return this.emit(0x28, 2, ...uleb(offset)); }
  private simd(op: number, ...rest: number[]) { return this.emit(0xfd, ...uleb(op), ...rest); }
  /** v128.load with a constant byte offset (alignment hint 16). */
  load(offset = 0) { return this.simd(0x00, 4, ...uleb(offset)); }
  store(offset = 0) { return this.simd(0x0b, 4, ...uleb(offset)); }
  /** v128.load64_zero: 8 bytes (two float32) into the low half, the rest zero. */
  load64Zero(offset = 0) { return this.simd(0x5d, 3, ...uleb(offset)); }
  /** v128.load64_lane: 8 bytes into lane `lane` of the v128 on the stack (the address below it). */
  load64Lane(offset: number, lane: number) { return this.simd(0x57, 3, ...uleb(offset), lane); }
  /** v128.store64_lane 0: the low 8 bytes (two float32). */
  store64Low(offset = 0) { return this.simd(0x5b, 3, ...uleb(offset), 0); }
  /** f64x2.promote_low_f32x4 and f32x4.demote_f64x2_zero (rounded to nearest, into the low half). */
  promote() { return this.simd(0x5f); }
  demote() { return this.simd(0x5e); }
  /** v128.load64_splat or v128.load32_splat: one element into every lane. */
  splat(e: Lanes, offset = 0) { return this.simd(e.splat, e.log2Bytes, ...uleb(offset)); }
  zero() { return this.simd(0x0c, ...new Array(16).fill(0)); }
  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a (0–15) or of b (16–31), a below b on the stack. */
  shuffle(lanes: readonly number[]) { return this.simd(0x0d, ...lanes); }
  vAdd(e: Lanes) { return this.simd(e.add); }
  vMul(e: Lanes) { return this.simd(e.mul); }
  /** v128.const: the double v in both lanes. */
  f64x2(v: number) {
    const d = new DataView(new ArrayBuffer(16));
    d.setFloat64(0, v, true);
    d.setFloat64(8, v, true);
    return this.simd(0x0c, ...new Uint8Array(d.buffer));
  }
  /** f64x2.splat: the f64 on the stack into both lanes. */
  f64x2Splat() { return this.simd(0x14); }
  f64x2Abs() { return this.simd(0xec); }
  f64x2Neg() { return this.simd(0xed); }
  f64x2Add() { return this.simd(0xf0); }
  f64x2Sub() { return this.simd(0xf1); }
  f64x2Mul() { return this.simd(0xf2); }
  f64x2Div() { return this.simd(0xf3); }
  f64x2Sqrt() { return this.simd(0xef); }
  f64x2Trunc() { return this.simd(0x7a); }
  f64x2Floor() { return this.simd(0x75); }
  /** Lane-wise comparisons: all ones where true, zero where false (and where either is NaN, but for ne). */
  f64x2Eq() { return this.simd(0x47); }
  f64x2Ne() { return this.simd(0x48); }
  f64x2Lt() { return this.simd(0x49); }
  f64x2Ge() { return this.simd(0x4c); }
  i64x2Shl() { return this.simd(0xcb); }
  /** v128.const: the 64-bit integer v (|v| < 2^31) in both lanes. */
  i64x2(v: number) {
    const d = new DataView(new ArrayBuffer(16));
    d.setBigInt64(0, BigInt(v), true);
    d.setBigInt64(8, BigInt(v), true);
    return this.simd(0x0c, ...new Uint8Array(d.buffer));
  }
  /** i64x2.extract_lane, then i32.wrap_i64: a lane's low 32 bits. */
  i64x2LaneI32(lane: number) { return this.simd(0x1d, lane).emit(0xa7); }
  /** f64.load with a constant byte offset (alignment hint 8). */
  f64Load(offset = 0) { return this.emit(0x2b, 3, ...uleb(offset)); }
  /** f64x2.replace_lane: the f64 on the stack into a lane of the v128 below it. */
  f64x2ReplaceLane(lane: number) { return this.simd(0x22, lane); }
  vNot() { return this.simd(0x4d); }
  vAnd() { return this.simd(0x4e); }
  vOr() { return this.simd(0x50); }
  /** v128.bitselect(a, b, m): a's bits where m's are 1, b's elsewhere. */
  vSelect() { return this.simd(0x52); }
  anyTrue() { return this.simd(0x53); }
}

/** What differs between the two kernels: the element's size and the SIMD opcodes over it. */
export interface Lanes {
  log2Bytes: number;
  splat: number;
  add: number;
  mul: number;
}

