/**
 * Requests of the navigation and editing features, for tests: thin wrappers over
 * `client.connection.sendRequest`, plus helpers to apply edits and read semantic tokens.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type FoldingRange,
  type InitializeResult,
  type Location,
  type Position,
  type Range,
  type SemanticTokens,
  type SignatureHelp,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import type { LspClient } from './lsp';
import { repoRoot } from './paths';

const doc = (uri: string) => ({ textDocument: { uri } });

export function definition(client: LspClient, uri: string, position: Position): Promise<Location[] | null> {
  return client.connection.sendRequest('textDocument/definition', { ...doc(uri), position });
}

export function references(client: LspClient, uri: string, position: Position, includeDeclaration: boolean): Promise<Location[] | null> {
  return client.connection.sendRequest('textDocument/references', { ...doc(uri), position, context: { includeDeclaration } });
}

export function prepareRename(client: LspClient, uri: string, position: Position): Promise<{ range: Range; placeholder: string } | null> {
  return client.connection.sendRequest('textDocument/prepareRename', { ...doc(uri), position });
}

export function rename(client: LspClient, uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
  return client.connection.sendRequest('textDocument/rename', { ...doc(uri), position, newName });
}

export function formatting(client: LspClient, uri: string): Promise<TextEdit[] | null> {
  return client.connection.sendRequest('textDocument/formatting', { ...doc(uri), options: { tabSize: 4, insertSpaces: true } });
}

export function foldingRanges(client: LspClient, uri: string): Promise<FoldingRange[] | null> {
  return client.connection.sendRequest('textDocument/foldingRange', doc(uri));
}

export function semanticTokens(client: LspClient, uri: string): Promise<SemanticTokens | null> {
  return client.connection.sendRequest('textDocument/semanticTokens/full', doc(uri));
}

export function signatureHelp(client: LspClient, uri: string, position: Position): Promise<SignatureHelp | null> {
  return client.connection.sendRequest('textDocument/signatureHelp', { ...doc(uri), position });
}

/** The message of a request's error response (a refused rename), or fails when the request succeeds. */
export async function errorOf(request: Promise<unknown>): Promise<string> {
  try {
    const r = await request;
    throw new Error(`expected an error response, got ${JSON.stringify(r)}`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('expected an error response')) throw err;
    return (err as { message: string }).message;
  }
}

/** Applies LSP text edits (non-overlapping, any order) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    if (text[i] === '\n' || text[i] === '\r') starts.push(i + 1);
  }
  const offset = (p: Position) => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** Semantic tokens decoded to absolute `line:character` positions with their type and modifier names. */
export function decodeSemanticTokens(data: readonly number[], legend: { tokenTypes: string[]; tokenModifiers: string[] }): string[] {
  const out: string[] = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [dl, dc, length, type, bits] = data.slice(i, i + 5);
    line += dl;
    char = dl === 0 ? char + dc : dc;
    const mods = legend.tokenModifiers.filter((_, k) => bits & (1 << k));
    out.push(`${line}:${char}+${length} ${legend.tokenTypes[type]}${mods.length ? '.' + mods.join('.') : ''}`);
  }
  return out;
}

/** The server's initialize result (its capabilities), from a server started for just that. */
export async function initializeResult(): Promise<InitializeResult> {
  const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  try {
    return await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  } finally {
    connection.dispose();
    child.kill();
  }
}
