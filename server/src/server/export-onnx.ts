import { MessageType, ShowMessageNotification, type Connection } from 'vscode-languageserver';
import { analyze, type FileAnalysis } from '../analysis/analyze';
import { ExportError } from '../export/expr-python';
import { exportOnnx } from '../export/onnx/model';
import type { ExportOnnxAnswer, ExportOnnxParams } from '../protocol/onnx';
import { capitalise } from '../semantics/diagnostic';
import type { ServerPlatform } from './platform';

declare const NETSPEC_VERSION: string | undefined;
const VERSION = typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0';

/**
 * `netspec/exportOnnx {uri, network?, weights?, dtype?}`: a network's forward pass as an ONNX
 * model (export/onnx/), as `netspec export --to onnx` writes it, with the weights the network has
 * in this editor session — a finished run's (`trained`, the default when there is one) or the
 * file's own — as base64 for the client to write beside the spec.
 *
 * `current` is the document's analysis with the session's trained parameters applied (what hovers
 * show); `trained` names the networks that have them.
 */
export function onnxModelOf(text: string, specName: string, current: FileAnalysis, trained: ReadonlySet<string>, params: ExportOnnxParams): ExportOnnxAnswer {
  if (current.diagnostics.some((d) => d.severity === 'error')) return { error: 'the file has errors; fix them before exporting' };
  const networks = [...current.program.networks.keys()];
  if (networks.length === 0) return { error: 'the file defines no network', networks };
  const network = params.network ?? (networks.length === 1 ? networks[0] : undefined);
  if (network === undefined) return { error: `say which network to export: ${networks.join(', ')}`, networks };
  const weights = params.weights ?? (trained.has(network) ? 'trained' : 'file');
  if (weights === 'trained' && !trained.has(network)) return { error: `\`${network}\` has no trained weights in this editor session: train it first, or export its own weights`, networks };
  // The file's own weights come from an analysis without the session's parameters.
  const a = weights === 'trained' ? current : analyze(text);
  const info = a.program.networks.get(network);
  if (!info) return { error: `there is no network named \`${network}\``, networks };
  if (!info.network) return { error: `the network \`${network}\` could not be built`, networks };
  const dtype = params.dtype ?? 'float32';
  try {
    const bytes = exportOnnx({
      file: specName,
      program: a.program,
      info,
      network: info.network,
      dtype,
      version: VERSION,
      parameters: weights === 'trained' ? 'weights trained in the editor' : 'explicit or initial weights',
    });
    return { model: base64(bytes), suggestedName: `${specName.replace(/\.netspec$/i, '')}.${network}.onnx`, network, weights, dtype };
  } catch (err) {
    if (err instanceof ExportError) return { error: capitalise(err.message), networks };
    throw err;
  }
}

/**
 * Writes an exported model beside its spec through the platform (never replacing a file) and says
 * what happened in a message: the server's Export to ONNX for editors without NetSpec's client.
 */
export async function writeModelBeside(connection: Connection, platform: ServerPlatform, uri: string, answer: ExportOnnxAnswer): Promise<{ path: string } | { error: string }> {
  const say = (type: MessageType, message: string) => void connection.sendNotification(ShowMessageNotification.type, { type, message });
  if ('error' in answer) {
    say(MessageType.Error, `Export to ONNX: ${answer.error}.`);
    return { error: answer.error };
  }
  if (!platform.createFile || !uri.startsWith('file:')) {
    const error = `this server cannot write files here; run \`netspec export FILE --network ${answer.network} --to onnx\` instead`;
    say(MessageType.Error, `Export to ONNX: ${error}.`);
    return { error };
  }
  const file = platform.specFile(uri).replace(/[^\\/]*$/, answer.suggestedName);
  try {
    await platform.createFile(file, Uint8Array.from(atob(answer.model), (c) => c.charCodeAt(0)));
  } catch (err) {
    const exists = (err as { code?: string }).code === 'EEXIST';
    const error = exists ? `${answer.suggestedName} already exists beside the spec; delete or rename it first` : `cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`;
    say(MessageType.Warning, `Export to ONNX: ${error}.`);
    return { error };
  }
  say(MessageType.Info, `Exported ${answer.network} (${answer.weights === 'trained' ? 'its weights trained in this session' : 'its own weights'}, ${answer.dtype}) to ${answer.suggestedName}.`);
  return { path: file };
}

/** Bytes as base64 (btoa over a binary string: in Node 20 and in a browser worker alike). */
function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
