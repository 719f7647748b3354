import type { Connection } from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/analyze';
import { TrainAllRequest } from '../protocol/requests';
import type { TrainAllAnswer, TrainAnswer, TrainStarted } from '../protocol/training';
import type { Runs } from './runs';

/**
 * `netspec/trainAll {uri}`: every `train` statement of the document at once, each in its own
 * worker, as one group (compared runs: sgd against adam on one network…). The runs of their
 * networks stop first; the runs of the group then go side by side, and each network keeps the
 * parameters of its run that finishes last (runs.ts). `start` is the server's start of one
 * statement's run, told the group.
 */
export function registerTrainAll(
  connection: Connection,
  analysisOfUri: (uri: string) => FileAnalysis | undefined,
  runs: Runs,
  start: (params: { uri: string; line: number }, group: string) => Promise<TrainAnswer>,
): void {
  let nextGroup = 1;
  connection.onRequest(TrainAllRequest.type, async (params): Promise<TrainAllAnswer> => {
    const a = analysisOfUri(params.uri);
    if (!a) return { error: 'the document is not open' };
    const lines = a.program.trains.map((t) => a.lines.position(t.stmt.start).line);
    if (lines.length === 0) return { error: 'the document has no train statement' };
    const group = `group-${nextGroup++}`;
    for (const t of a.program.trains) runs.stop(params.uri, t.stmt.network.text);
    const started: TrainStarted[] = [];
    for (const line of lines) {
      const answer = await start({ uri: params.uri, line }, group);
      // A refusal (untrusted, errors in the file) is every statement's: stop what started.
      if ('error' in answer) {
        for (const r of started) runs.byId(r.runId)?.worker.terminate();
        return answer;
      }
      started.push(answer);
    }
    return { group, runs: started };
  });
}
