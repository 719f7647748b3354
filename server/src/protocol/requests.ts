import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { ExportAnswer, ExportParams } from './pytorch';
import type { EditDataAnswer, EditDataParams } from './data-edits';
import type { ReadDataFileAnswer, ReadDataFileParams } from './files';
import type { NetworkViewAnswer, NetworkViewParams } from './network';
import type { ExportOnnxAnswer, ExportOnnxParams } from './onnx';
import type { PlotAnswer, PlotParams } from './plot';
import type { ResetTrainedWeightsAnswer, ResetTrainedWeightsParams, TrainedParametersAnswer, TrainedWeightsAnswer, TrainedWeightsParams } from './weights';
import type {
  ControlTrainingParams,
  ControlTrainingResult,
  StopTrainingParams,
  StopTrainingResult,
  TrainAllAnswer,
  TrainAllParams,
  TrainAnswer,
  TrainParams,
  TrainProgress,
  TrainTarget,
  TrainTargetsParams,
} from './training';

/**
 * NetSpec's own LSP messages, each declared once: its method name and the types of its params and
 * result, as a `RequestType`/`NotificationType` that both `connection.onRequest(X.type, …)` (the
 * server) and `client.sendRequest(X.type, …)` (the VS Code client) take, so a change to a message
 * is a type error on both sides. Any other LSP client speaks them as plain JSON-RPC with these
 * method names (test/protocol does).
 *
 * This module imports neither `vscode-languageserver` nor `vscode` (only the protocol's type
 * constructors), so the server and the client can both import it.
 */

/** `netspec/trainTargets`: the document's `train` statements (`null` when it is not open). */
export namespace TrainTargetsRequest {
  export const method = 'netspec/trainTargets';
  export const type = new RequestType<TrainTargetsParams, TrainTarget[] | null, void>(method);
}

/**
 * `netspec/train`: starts the `train` statement on a line in a worker (stopping the run of the
 * same network, if any). The run's events follow as `netspec/trainProgress`.
 */
export namespace TrainRequest {
  export const method = 'netspec/train';
  export const type = new RequestType<TrainParams, TrainAnswer, void>(method);
}

/**
 * `netspec/trainAll`: starts every `train` statement of a document at once, each in its own worker
 * (compared runs, e.g. sgd against adam on one network), stopping the runs of their networks first.
 * Their events carry the answer's `group`.
 */
export namespace TrainAllRequest {
  export const method = 'netspec/trainAll';
  export const type = new RequestType<TrainAllParams, TrainAllAnswer, void>(method);
}

/** `netspec/trainProgress` (server → client): a run's progress, then its end. */
export namespace TrainProgressNotification {
  export const method = 'netspec/trainProgress';
  export const type = new NotificationType<TrainProgress>(method);
}

/** `netspec/stopTraining`: stops a document's runs, or every run; each ends with a cancelled event. */
export namespace StopTrainingRequest {
  export const method = 'netspec/stopTraining';
  export const type = new RequestType<StopTrainingParams, StopTrainingResult, void>(method);
}

/**
 * `netspec/controlTraining`: pauses, resumes or steps a document's runs (training.ts
 * `ControlTrainingParams`); a paused run's parameters are what probes and hovers use.
 */
export namespace ControlTrainingRequest {
  export const method = 'netspec/controlTraining';
  export const type = new RequestType<ControlTrainingParams, ControlTrainingResult, void>(method);
}

/** `netspec/exportPyTorch`: the PyTorch program for a network's `train` statement. */
export namespace ExportPyTorchRequest {
  export const method = 'netspec/exportPyTorch';
  export const type = new RequestType<ExportParams, ExportAnswer, void>(method);
}

/**
 * `netspec/trainedWeights`: the networks of a document that use the parameters a finished run
 * left (a run's parameters are dropped once the network's definition changes).
 */
export namespace TrainedWeightsRequest {
  export const method = 'netspec/trainedWeights';
  export const type = new RequestType<TrainedWeightsParams, TrainedWeightsAnswer, void>(method);
}

/** `netspec/trainedParameters`: the parameters of a document's trained networks (weights.ts). */
export namespace TrainedParametersRequest {
  export const method = 'netspec/trainedParameters';
  export const type = new RequestType<TrainedWeightsParams, TrainedParametersAnswer, void>(method);
}

/** `netspec/resetTrainedWeights`: back to the file's own parameters, for one network or all of a document. */
export namespace ResetTrainedWeightsRequest {
  export const method = 'netspec/resetTrainedWeights';
  export const type = new RequestType<ResetTrainedWeightsParams, ResetTrainedWeightsAnswer, void>(method);
}

/** `netspec/plot`: the plots behind "Show plot" (`null`: nothing to plot on that line). */
export namespace PlotRequest {
  export const method = 'netspec/plot';
  export const type = new RequestType<PlotParams, PlotAnswer | null, void>(method);
}

/** `netspec/workspaceTrusted` params: none (an empty object). */
export type WorkspaceTrustedParams = Record<string, never>;

/**
 * `netspec/workspaceTrusted` (client → server): the user trusted the workspace, so data files may
 * be read and networks trained from now on (server/src/server/trust.ts). The server learns the
 * initial trust from `initializationOptions.trusted`.
 */
export namespace WorkspaceTrustedNotification {
  export const method = 'netspec/workspaceTrusted';
  export const type = new NotificationType<WorkspaceTrustedParams>(method);
}

/** `netspec/readDataFile` (server → client, browser build): a data file's text (files.ts). */
export namespace ReadDataFileRequest {
  export const method = 'netspec/readDataFile';
  export const type = new RequestType<ReadDataFileParams, ReadDataFileAnswer, void>(method);
}

/** `netspec/networkView`: a network drawn for *Show Network*, with values, gradients and sources (network.ts). */
export namespace NetworkViewRequest {
  export const method = 'netspec/networkView';
  export const type = new RequestType<NetworkViewParams, NetworkViewAnswer | null, void>(method);
}

/** `netspec/exportOnnx`: a network's forward pass as an ONNX model (onnx.ts), for the client to write. */
export namespace ExportOnnxRequest {
  export const method = 'netspec/exportOnnx';
  export const type = new RequestType<ExportOnnxParams, ExportOnnxAnswer, void>(method);
}

/** `netspec/editData`: a click on the training panel's picture as an edit of the data block (data-edits.ts). */
export namespace EditDataRequest {
  export const method = 'netspec/editData';
  export const type = new RequestType<EditDataParams, EditDataAnswer, void>(method);
}
