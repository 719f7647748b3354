import type { Connection } from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/analyze';
import { addSampleEdit, clickTarget, inlineDataEdit, removeNearestEdit, type DataEditResult } from '../analysis/data-edits';
import type { EditDataAnswer, EditDataParams } from '../protocol/data-edits';
import { EditDataRequest } from '../protocol/requests';

/**
 * `netspec/editData`: the training panel's clicks as edits of a data block (analysis/data-edits.ts
 * computes them); this only checks the request and turns offsets into a range. Bad params are an
 * error answer, never a throw.
 */
export function registerDataEdits(connection: Connection, analysisOf: (uri: string) => FileAnalysis | undefined): void {
  connection.onRequest(EditDataRequest.type, (params): EditDataAnswer => {
    try {
      return answer(params);
    } catch (err) {
      connection.console.error(`editData failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { error: 'an internal error (logged in the output)' };
    }
  });

  function answer(params: EditDataParams | null): EditDataAnswer {
    const p = (params ?? {}) as Partial<EditDataParams>;
    if (typeof p.uri !== 'string' || typeof p.network !== 'string' || typeof p.data !== 'string') return { error: 'the request names no document, network or data set' };
    const a = analysisOf(p.uri);
    if (!a) return { error: 'the document is not open' };
    const net = a.program.networks.get(p.network)?.network;
    if (!net) return { error: `the network \`${p.network}\` has errors or is gone` };
    const outputs = net.layers.at(-1)?.units ?? 1;
    let r: DataEditResult;
    if (p.action === 'inline') r = inlineDataEdit(a, p.data, outputs);
    else {
      if (net.inputs !== 2) return { error: `\`${p.network}\` takes ${net.inputs} input${net.inputs === 1 ? '' : 's'}: a click gives two` };
      const point = Array.isArray(p.point) && p.point.length === 2 && p.point.every(Number.isFinite) ? p.point : undefined;
      if (!point) return { error: 'the click has no point' };
      if (p.action === 'remove') r = removeNearestEdit(a, p.data, point);
      else if (p.action === 'add' && (p.class === 0 || p.class === 1)) {
        const width = a.program.data.get(p.data)?.targetWidth ?? outputs;
        r = addSampleEdit(a, p.data, point, clickTarget(width, p.class));
      } else return { error: 'the request is neither add (class 0 or 1), remove nor inline' };
    }
    if ('error' in r) return r;
    return { edit: { range: a.lines.range(r.edit), newText: r.edit.text } };
  }
}
