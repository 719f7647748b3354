import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/analyze';

/**
 * Workspace trust (VS Code's Restricted Mode). In an untrusted workspace the server still checks,
 * highlights and evaluates — that reads nothing but the document — but reads no data file and
 * runs no training: a `data … from "file.csv"` gets an information diagnostic saying so, the
 * Train lenses are hidden, and `netspec/train` is refused.
 *
 * The client says whether the workspace is trusted in `initializationOptions.trusted` and sends
 * `netspec/workspaceTrusted` when the user grants trust. A client that says nothing (an editor
 * without a notion of trust) is trusted: its user opened the file to work on it.
 */
export class WorkspaceTrust {
  private trusted = true;

  /** From `initialize`: untrusted only when the client says `trusted: false`. */
  initialize(initializationOptions: unknown): void {
    const said = (initializationOptions as { trusted?: unknown } | null | undefined)?.trusted;
    this.trusted = said !== false;
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** Trust is granted for the rest of the session; VS Code never withdraws it without a reload. */
  grant(): void {
    this.trusted = true;
  }
}

/** Why a run (or a data file) is refused in Restricted Mode. */
export const RESTRICTED =
  'this workspace is in Restricted Mode: NetSpec checks files but reads no data files and runs no training. Trust the workspace (Manage Workspace Trust) to train';

/** In Restricted Mode, one information diagnostic on the path of each `data … from "file"`. */
export function restrictedDiagnostics(trust: WorkspaceTrust, a: FileAnalysis): Diagnostic[] {
  if (trust.isTrusted) return [];
  const out: Diagnostic[] = [];
  for (const s of a.program.file.statements) {
    if (s.kind !== 'data' || s.source.kind !== 'file') continue;
    out.push({
      range: a.lines.range(s.source.path),
      severity: DiagnosticSeverity.Information,
      code: 'restricted',
      source: 'netspec',
      message: `"${s.source.path.value}" is not read: ${RESTRICTED}.`,
    });
  }
  return out;
}
