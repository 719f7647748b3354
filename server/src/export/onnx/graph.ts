import { onnx } from './onnx-pb';

/**
 * An ONNX graph as it is built: nodes in order, initializers, fresh tensor names. Every number is
 * stored in the model's element type (`float32` rounds each weight to the nearest float, as a
 * runtime would; `float64` keeps the engine's doubles).
 */

export type OnnxDType = 'float32' | 'float64';

export const ELEM_TYPE: Record<OnnxDType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
};

export type Attribute = { name: string; f: number } | { name: string; i: number } | { name: string; t: onnx.ITensorProto };

export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly taken = new Set<string>();
  /** Scalar constants by value (String of it, so −0 and 0 stay apart). */
  private readonly scalars = new Map<string, string>();
  /** Set before building a part of the graph: what its nodes say they come from (the spec's line). */
  doc = '';

  constructor(readonly dtype: OnnxDType) {}

  /** A tensor name not used yet: `base`, else `base_2`, `base_3`, … */
  fresh(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Reserves a name given from outside (the graph's input, an initializer's documented name). */
  claim(name: string): string {
    if (this.taken.has(name)) throw new Error(`internal: the tensor name ${name} is taken`);
    this.taken.add(name);
    return name;
  }

  /** Appends `op(inputs)` with its attributes; returns its output's name (`out`, or a fresh one). */
  node(op: string, inputs: string[], attributes: Attribute[] = [], out?: string): string {
    const output = out ?? this.fresh(op.toLowerCase());
    this.nodes.push({
      op_type: op,
      name: this.fresh(`${op}_node`),
      input: inputs,
      output: [output],
      attribute: attributes.map(attributeProto),
      ...(this.doc ? { doc_string: this.doc } : {}),
    });
    return output;
  }

  /** Appends a node with several outputs (Split), named `outputs`; returns them. */
  nodeOutputs(op: string, inputs: string[], attributes: Attribute[], outputs: string[]): string[] {
    this.nodes.push({ op_type: op, name: this.fresh(`${op}_node`), input: inputs, output: outputs, attribute: attributes.map(attributeProto), ...(this.doc ? { doc_string: this.doc } : {}) });
    return outputs;
  }

  /** An initializer of this graph's element type: `values` row-major with shape `dims`. */
  tensor(name: string, dims: number[], values: ArrayLike<number>, doc?: string): string {
    this.initializers.push({ ...this.tensorProto(dims, values), name: this.claim(name), ...(doc ? { doc_string: doc } : {}) });
    return name;
  }

  /** A scalar constant (shape []), shared by every use of the same value; broadcasts in elementwise ops. */
  scalar(value: number): string {
    const key = Object.is(value, -0) ? '-0' : String(value);
    const known = this.scalars.get(key);
    if (known) return known;
    const name = this.fresh('const');
    this.initializers.push({ ...this.tensorProto([], [value]), name });
    this.scalars.set(key, name);
    return name;
  }

  /** A tensor shaped like `like` filled with `value` (ConstantOfShape over Shape): a constant body of an activation. */
  filled(like: string, value: number): string {
    const shape = this.node('Shape', [like]);
    return this.node('ConstantOfShape', [shape], [{ name: 'value', t: this.tensorProto([1], [value]) }]);
  }

  /** The values as raw little-endian bytes of the element type. */
  tensorProto(dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
    const typed = this.dtype === 'float32' ? Float32Array.from(values as ArrayLike<number>) : Float64Array.from(values as ArrayLike<number>);
    return { dims, data_type: ELEM_TYPE[this.dtype], raw_data: littleEndian(typed) };
  }
}

/** Typed array bytes in little-endian order (ONNX's raw_data), whatever the machine's order. */
function littleEndian(a: Float32Array | Float64Array): Uint8Array {
  const bytes = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  a.forEach((v, i) => (a instanceof Float32Array ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return bytes;
}

function attributeProto(a: Attribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('f' in a) return { name: a.name, type: T.FLOAT, f: a.f };
  if ('i' in a) return { name: a.name, type: T.INT, i: a.i };
  return { name: a.name, type: T.TENSOR, t: a.t };
}
