import type { Network } from '../../engine/network';
import { constantValue } from '../../semantics/lowering';
import type { NetworkInfo, Program } from '../../semantics/program';
import { ExportError } from '../expr-python';
import { OnnxFunctions } from './activations';
import { ELEM_TYPE, OnnxGraph, type OnnxDType } from './graph';
import { onnx } from './onnx-pb';

/**
 * A network's forward pass as an ONNX model (IR version 8, opset 17, the versions ONNX 1.12's
 * checker and current runtimes both accept): one input named after the network's `input`,
 * [N, width] with N symbolic; the inputs standardized when the network does (Sub, Div by its
 * `input.mean` and `input.std`); its derived features when it has them (the columns split, each
 * feature's expression node by node, concatenated); each dense layer MatMul by `LAYER.weight` ([fan-in][units], as
 * NetSpec writes W) and Add of `LAYER.bias` (none with `nobias`), then its activation
 * (activations.ts; softmax as Softmax on the last axis); one output named after the last layer,
 * [N, units]. Each node's doc string is the spec's file and the line it comes from.
 */

export interface OnnxInput {
  /** The spec's file name, for doc strings. */
  file: string;
  program: Program;
  info: NetworkInfo;
  /** The network with the parameters to export (its own, or a run's). */
  network: Network;
  dtype: OnnxDType;
  /** NetSpec's version, as the model's producer_version. */
  version: string;
  /** What the parameters are, for the model's doc string ("initial weights", "trained weights: …"). */
  parameters: string;
}

export const IR_VERSION = 8;
export const OPSET = 17;

/** The model's bytes (protobuf, as `.onnx` files hold it). */
export function exportOnnx(input: OnnxInput): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(onnxModel(input))).finish();
}

/** The model as protobuf message properties (for tests that read it back without decoding bytes). */
export function onnxModel(input: OnnxInput): onnx.IModelProto {
  const { network: net, info, program, file, dtype } = input;
  const name = info.stmt.name.text;
  const lineOf = (offset: number) => program.file.text.slice(0, offset).split(/\r\n|\r|\n/).length;
  const g = new OnnxGraph(dtype);
  const fns = new OnnxFunctions(g, program.env);
  const inputItem = info.layers.find((l) => l.kind === 'input');
  const denseInfo = info.layers.filter((l) => l.kind === 'dense');
  const inputName = g.claim(inputItem?.name.text ?? 'x');
  const lastName = net.layers[net.layers.length - 1].name;
  // The output keeps the last layer's name: the intermediate tensors must not take it first.
  g.claim(lastName);

  let x = inputName;
  const std = net.standardize;
  if (std) {
    g.doc = `${file}:${inputItem ? lineOf(inputItem.item.start) : 1}: the inputs standardized, (x − mean) / std`;
    const mean = g.tensor(`${inputName}.mean`, [net.inputs], std.mean, 'the mean of each input over the training part');
    const sd = g.tensor(`${inputName}.std`, [net.inputs], std.std, 'the standard deviation of each input over the training part');
    x = g.node('Div', [g.node('Sub', [x, mean], [], g.fresh(`${inputName}.centred`)), sd], [], g.fresh(`${inputName}.standardized`));
  }
  if (net.features) {
    // Derived input features: each a function of the (standardized) input's columns, then side by side.
    const f = net.features;
    g.doc = `${file}:${inputItem ? lineOf(inputItem.item.start) : 1}: the derived input features [${f.texts.join(', ')}]`;
    const columns = net.inputs === 1 ? [x] : g.nodeOutputs('Split', [x], [{ name: 'axis', i: 1 }], f.variables.map((v) => g.fresh(`${inputName}.${v}`)));
    const bound = new Map(f.variables.map((v, j) => [v, columns[j]]));
    const values = f.exprs.map((e) => fns.expression(e, bound, columns[0]));
    x = values.length === 1 ? values[0] : g.node('Concat', values, [{ name: 'axis', i: 1 }], g.fresh(`${inputName}.features`));
  }
  net.layers.forEach((layer, i) => {
    const item = denseInfo[i]?.item;
    g.doc = `${file}:${item ? lineOf(item.start) : lineOf(info.stmt.start)}: ${item ? program.file.text.slice(item.start, item.end) : `dense ${layer.name}`}`;
    const W = g.tensor(`${layer.name}.weight`, [layer.inputs, layer.units], layer.W, `W of ${layer.name}, [fan-in ${layer.inputs}][units ${layer.units}]`);
    let z = g.node('MatMul', [x, W], [], g.fresh(layer.hasBias ? `${layer.name}.xW` : `${layer.name}.z`));
    if (layer.hasBias) z = g.node('Add', [z, g.tensor(`${layer.name}.bias`, [layer.units], layer.b, `b of ${layer.name}`)], [], g.fresh(`${layer.name}.z`));
    const isLast = i === net.layers.length - 1;
    let y: string;
    if (layer.activation.kind === 'softmax') {
      y = g.node('Softmax', [z], [{ name: 'axis', i: -1 }]);
    } else {
      const params = item?.kind === 'dense' ? item.activation.args.map((a) => constantValue(program, a)) : [];
      if (!params.every((p): p is number => typeof p === 'number')) throw new ExportError(`the parameters of \`${layer.name}\`'s activation are not numbers`);
      y = fns.activation(layer.activation.name, params, z);
    }
    // The last node's output is renamed to the layer's name (an Identity where it is an input or a weight).
    if (isLast) y = renameOutput(g, y, lastName);
    x = y;
  });

  const valueInfo = (tensor: string, width: number, doc: string): onnx.IValueInfoProto => ({
    name: tensor,
    doc_string: doc,
    type: { tensor_type: { elem_type: ELEM_TYPE[dtype], shape: { dim: [{ dim_param: 'N' }, { dim_value: width }] } } },
  });
  const last = net.layers[net.layers.length - 1];
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'NetSpec',
    producer_version: input.version,
    doc_string: `The network \`${name}\` of ${file} (line ${lineOf(info.stmt.start)}), its forward pass with its ${input.parameters}.`,
    graph: {
      name,
      doc_string: `${name}: ${[`input ${net.inputs}`, ...net.layers.map((l) => `${l.name}[${l.units}] ${l.activation.name}${l.hasBias ? '' : ' nobias'}`)].join(' → ')}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, net.inputs, `the network's input, one row per sample`)],
      output: [valueInfo(lastName, last.units, `the output of ${lastName}, g(z) of the last layer`)],
    },
  };
}

/** Makes `tensor` be called `name`: renames its producing node's output, or adds an Identity. */
function renameOutput(g: OnnxGraph, tensor: string, name: string): string {
  const producer = g.nodes.find((n) => n.output?.[0] === tensor);
  const consumed = g.nodes.some((n) => n.input?.includes(tensor));
  if (producer && !consumed) {
    producer.output = [name];
    return name;
  }
  return g.node('Identity', [tensor], [], name);
}
