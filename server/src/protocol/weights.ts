/**
 * The data of the trained-weights messages (`netspec/trainedWeights`, `netspec/resetTrainedWeights`):
 * which networks of a document use the parameters a run left, and going back to the file's own.
 * No imports.
 */

/** `netspec/trainedWeights` params. */
export interface TrainedWeightsParams {
  uri: string;
}

/** `netspec/trainedWeights` answer: the networks whose probes, hovers and evals use trained parameters. */
export interface TrainedWeightsAnswer {
  networks: string[];
}

/**
 * `netspec/trainedParameters` answer: the parameters a finished run left, by network (those whose
 * definition is still the one they were trained from), as the analysis takes them
 * (`AnalyzeOptions.trained`): so a probe's debugger session sees what the hovers see.
 */
export interface TrainedParametersAnswer {
  networks: Record<string, { definition: string; layers: { W: number[]; b: number[] }[]; standardize?: { mean: number[]; std: number[] } }>;
}

/** `netspec/resetTrainedWeights` params: one network, or (left out) every network of the document. */
export interface ResetTrainedWeightsParams {
  uri: string;
  network?: string;
}

/**
 * `netspec/resetTrainedWeights` answer: the networks that went back to the file's own parameters,
 * and how many runs of them were stopped (a run still going would bring trained parameters back).
 */
export interface ResetTrainedWeightsAnswer {
  reset: string[];
  stopped: number;
}
