/**
 * What a client may say in `initialize`'s `initializationOptions`, all optional. Any LSP editor can
 * pass these (Neovim's `init_options`, Helix's `config`, eglot's `:initializationOptions`). No
 * imports.
 */
export interface InitializationOptions {
  /** `false` in an untrusted workspace (VS Code's Restricted Mode): no data file is read, nothing trains. */
  trusted?: boolean;
  /** The client shows training runs itself (NetSpec's VS Code extension): no work-done progress for runs. */
  showsTraining?: boolean;
  /** Hovers may carry inline SVG pictures (`data:` images). Default: only for VS Code; others get text plots. */
  hoverImages?: boolean;
  /**
   * The commands the client runs itself, which code lenses may then name: the VS Code extension's
   * `netspec.train` (its panel), `netspec.showPlot`, `netspec.showNetwork` (webviews) and
   * `netspec.debugProbe` (its debugger). Without them the server's lenses name commands it runs
   * itself (`netspec.server.*`, `workspace/executeCommand`), and lenses that need a webview or VS
   * Code's debugger are not offered.
   */
  clientCommands?: string[];
  /**
   * NetSpec's settings for a client that does not answer `workspace/configuration`, nested as in
   * VS Code's settings: `{ netspec: { inlayHints: { values: false }, insertWeights: { significantDigits: 4 } } }`.
   * `workspace/didChangeConfiguration` may replace them later.
   */
  settings?: unknown;
}

/** The commands the server runs itself through `workspace/executeCommand` (its `executeCommandProvider`). */
export const SERVER_COMMANDS = {
  /** `[uri, index]`: backpropagation against finite differences at the document's index-th probe. */
  gradientCheck: 'netspec.gradientCheck',
  /** `[uri, line]`: trains the `train` statement on that 0-based line (work-done progress or messages). */
  train: 'netspec.server.train',
  /** `[uri]`: stops the document's runs. */
  stopTraining: 'netspec.server.stopTraining',
  /** `[uri, action, unit?]`: pauses (`pause`), resumes (`resume`) or steps (`step`, `epoch` or `batch`) the document's runs. */
  controlTraining: 'netspec.server.controlTraining',
  /** `[uri, network?]`: writes the PyTorch program beside the spec through `workspace/applyEdit`. */
  exportPyTorch: 'netspec.server.exportPyTorch',
  /** `[uri, network]`: writes the network as an ONNX model beside the spec (never replacing a file). */
  exportOnnx: 'netspec.server.exportOnnx',
} as const;
