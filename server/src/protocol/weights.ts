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
