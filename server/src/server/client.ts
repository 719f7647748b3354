import type { Connection, InitializeParams } from 'vscode-languageserver';
import type { InitializationOptions } from '../protocol/initialize';

/**
 * What the editor on the other end can do, from what it declared at `initialize`, so that every
 * LSP editor gets what it can use and nothing it cannot: pictures in hovers only where they show,
 * lenses only for commands someone runs, refresh requests and progress only where declared, and
 * settings from `workspace/configuration` or, without it, from the initialization options and
 * `workspace/didChangeConfiguration`.
 */
export class ClientFeatures {
  /** Plots in hovers as inline SVG pictures; else as braille text (analysis/text-plot.ts). */
  hoverImages = false;
  /** The commands the client runs itself (VS Code's `netspec.train`, `netspec.showPlot`, …): lenses may name them. */
  clientCommands: ReadonlySet<string> = new Set();
  inlayHintRefresh = false;
  codeLensRefresh = false;
  /** LSP work-done progress for runs: declared, and the client does not show runs itself (`showsTraining`). */
  progress = false;
  configuration = false;
  /** `workspace/applyEdit` may create files (the server's Export to PyTorch writes one). */
  createsFiles = false;
  private settings: unknown = undefined;

  initialize(params: InitializeParams): void {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    const caps = params.capabilities;
    // VS Code (and its builds: VSCodium, code-server) shows Markdown images; any other client says so.
    const vscodeLike = /visual studio code|vscodium|code-server|code - oss/i.test(params.clientInfo?.name ?? '');
    this.hoverImages = options.hoverImages ?? vscodeLike;
    this.clientCommands = new Set(Array.isArray(options.clientCommands) ? options.clientCommands.filter((c): c is string => typeof c === 'string') : []);
    this.inlayHintRefresh = caps.workspace?.inlayHint?.refreshSupport === true;
    this.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    this.progress = caps.window?.workDoneProgress === true && options.showsTraining !== true;
    this.configuration = caps.workspace?.configuration === true;
    this.createsFiles = caps.workspace?.applyEdit === true && (caps.workspace.workspaceEdit?.resourceOperations ?? []).includes('create');
    this.settings = options.settings;
  }

  /** `workspace/didChangeConfiguration`'s settings, for a client that is not asked (no `workspace/configuration`). */
  changeSettings(settings: unknown): void {
    if (!this.configuration && settings !== undefined && settings !== null) this.settings = settings;
  }

  /**
   * A section of NetSpec's settings (`netspec.inlayHints`): asked of the client each time when it
   * answers `workspace/configuration` (it may change them), else read from the settings it gave,
   * nested as editors write them (`{ netspec: { inlayHints: { values: false } } }`).
   */
  async section(connection: Connection, uri: string, section: string): Promise<Record<string, unknown> | null> {
    if (this.configuration) {
      const c = (await connection.workspace.getConfiguration({ scopeUri: uri, section }).catch(() => null)) as unknown;
      return c && typeof c === 'object' ? (c as Record<string, unknown>) : null;
    }
    let at: unknown = this.settings;
    for (const key of section.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    return at && typeof at === 'object' ? (at as Record<string, unknown>) : null;
  }

  /** `workspace/inlayHint/refresh` and `workspace/codeLens/refresh`, each only where the client declared it. */
  refresh(connection: Connection, what: { inlayHints?: boolean; codeLens?: boolean }): void {
    if (what.inlayHints && this.inlayHintRefresh) void connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
    if (what.codeLens && this.codeLensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }
}
