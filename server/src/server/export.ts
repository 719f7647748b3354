import { MessageType, ShowMessageNotification, type Connection, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type TrainedParameters } from '../analysis/analyze';
import { fingerprint } from '../analysis/fingerprint';
import { ExportError, exportPyTorch } from '../export/pytorch';
import { givenFiles } from '../runs/data-files';
import { dataFilesOf, prepareJob, RunProblem } from '../runs/jobs';
import type { ExportAnswer, ExportParams } from '../protocol/pytorch';
import { ExportPyTorchRequest } from '../protocol/requests';
import { withParameters } from './network-view';
import type { ServerPlatform } from './platform';

declare const NETSPEC_VERSION: string | undefined;
const VERSION = typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0';

/**
 * `netspec/exportPyTorch {uri, network?, start?}`: the PyTorch program for a network's `train`
 * statement (the first, when it has several), as `netspec export --to pytorch` writes it; the
 * client writes the file (beside the spec, as `suggestedName`) once the user agrees. `network`
 * may be left out when the document trains one network; otherwise the error lists them. By
 * default the program starts from the spec's own initial parameters, so that it reproduces the
 * run the spec describes; with `start: 'trained'` it starts from the parameters the network's
 * last run in the editor left (`trainedOf`), to continue that training.
 */
export function registerExport(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  platform: ServerPlatform,
  isTrusted: () => boolean = () => true,
  trainedOf: (uri: string) => ReadonlyMap<string, TrainedParameters> = () => new Map(),
): void {
  connection.onRequest(ExportPyTorchRequest.type, async (params): Promise<ExportAnswer> => {
    try {
      return await exportDocument(documents, platform, params, isTrusted(), trainedOf);
    } catch (err) {
      connection.console.error(`exportPyTorch failed for ${params?.uri}: ${err instanceof Error ? err.stack : String(err)}`);
      return { error: `internal error: ${err instanceof Error ? err.message : String(err)}` };
    }
  });
}

/**
 * The server's Export to PyTorch (for editors without NetSpec's client): the program written
 * beside the spec as `SPEC.NETWORK.py` through `workspace/applyEdit` — a CreateFile that refuses
 * to replace an existing file, then the text — so the editor makes the change (and can undo it).
 * Said in a message either way.
 */
export async function exportToWorkspace(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  platform: ServerPlatform,
  params: ExportParams,
  trusted: boolean,
  trainedOf: (uri: string) => ReadonlyMap<string, TrainedParameters>,
  createsFiles: boolean,
): Promise<{ uri: string } | { error: string }> {
  const say = (type: MessageType, message: string) => void connection.sendNotification(ShowMessageNotification.type, { type, message });
  const answer = await exportDocument(documents, platform, params, trusted, trainedOf);
  if ('error' in answer) {
    say(MessageType.Error, `Export to PyTorch: ${answer.error}.`);
    return { error: answer.error };
  }
  const uri = params.uri.replace(/[^/]*$/, encodeURIComponent(answer.suggestedName));
  if (!createsFiles) {
    const error = `this editor cannot create files through the language server; run \`netspec export FILE --network ${answer.network} --to pytorch\` instead`;
    say(MessageType.Error, `Export to PyTorch: ${error}.`);
    return { error };
  }
  const r = await connection.workspace.applyEdit({
    label: `Export ${answer.network} to PyTorch`,
    edit: {
      documentChanges: [
        { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } },
        { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: answer.source }] },
      ],
    },
  }).catch((err: unknown) => ({ applied: false, failureReason: err instanceof Error ? err.message : String(err) }));
  if (!r.applied) {
    const error = `${answer.suggestedName} was not written${r.failureReason ? `: ${r.failureReason}` : ' (does it exist already?)'}`;
    say(MessageType.Warning, `Export to PyTorch: ${error}.`);
    return { error };
  }
  say(MessageType.Info, `Exported ${answer.network} to ${answer.suggestedName}: run it with python3 ${answer.suggestedName} --json.`);
  return { uri };
}

async function exportDocument(documents: TextDocuments<TextDocument>, platform: ServerPlatform, params: ExportParams, trusted: boolean, trainedOf: (uri: string) => ReadonlyMap<string, TrainedParameters>): Promise<ExportAnswer> {
  const doc = documents.get(params.uri);
  if (!doc) return { error: 'the document is not open' };
  const a = analyze(doc.getText());
  if (a.diagnostics.some((d) => d.severity === 'error')) return { error: 'the file has errors; fix them before exporting' };
  const networks = [...new Set(a.program.trains.map((t) => t.stmt.network.text))];
  if (networks.length === 0) return { error: 'the file has no train statement: an export is a network with its training run', networks };
  const network = params.network ?? (networks.length === 1 ? networks[0] : undefined);
  if (network === undefined) return { error: `say which network to export: ${networks.join(', ')}`, networks };
  const info = a.program.trains.find((t) => t.stmt.network.text === network);
  if (!info) return { error: `no train statement trains \`${network}\``, networks };
  const specFile = platform.specFile(params.uri);
  const base = specFile.split(/[\\/]/).pop()!;
  // In the browser the client reads the data file (never in Restricted Mode: prepareJob refuses it).
  const fetched = trusted ? await platform.fetchFiles(params.uri, dataFilesOf(a, info)) : undefined;
  const files = fetched ? givenFiles(fetched) : platform.files;
  try {
    const start = params.start ?? 'initial';
    // The definition before the data is prepared: what the trained parameters were keyed by.
    const built = a.program.networks.get(network)?.network;
    const definition = built && fingerprint(built);
    const job = prepareJob(specFile, a, info, new Map(), files, { readFiles: trusted });
    let from = job.network;
    if (start === 'trained') {
      const trained = trainedOf(params.uri).get(network);
      if (!trained) return { error: `\`${network}\` has no trained weights in this editor session: train it first, or export from the initial weights`, networks };
      if (trained.definition !== definition) return { error: `the trained weights of \`${network}\` belong to an earlier definition of it: train it again`, networks };
      const trainedNet = withParameters(job.network, trained.layers);
      if (!trainedNet) return { error: `the trained weights of \`${network}\` do not fit its layers: train it again`, networks };
      from = trainedNet;
    }
    const source = exportPyTorch({ file: base, program: a.program, info: job.info, line: job.line, network: from, dataName: job.dataName, data: job.data, version: VERSION, start });
    return { source, suggestedName: `${base.replace(/\.netspec$/i, '')}.${network}.py`, network, start };
  } catch (err) {
    if (err instanceof RunProblem || err instanceof ExportError) return { error: err.message };
    throw err;
  }
}
