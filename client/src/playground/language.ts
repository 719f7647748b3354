import grammar from '../../../syntaxes/netspec.tmLanguage.json';
import configuration from '../../../language-configuration.json';
import type { Monaco } from './monaco';
import type * as M from 'monaco-editor/editor/editor.api.js';

/**
 * NetSpec as a Monaco language: colours from a Monarch tokenizer whose word lists are read, at
 * bundle time, from the TextMate grammar VS Code uses (syntaxes/netspec.tmLanguage.json, whose
 * built-in names esbuild.js keeps equal to the engine's list), and the brackets, comments and
 * indentation rules of language-configuration.json. Nothing is listed twice.
 */

export const LANGUAGE_ID = 'netspec';

type Repository = Record<string, { match?: string }>;

/** The alternatives of the grammar rule's first `\b(a|b|c)` group. */
function wordsOf(rule: string): string[] {
  const match = (grammar.repository as Repository)[rule]?.match;
  const group = match && /\\b\(([A-Za-z_0-9|]+)\)/.exec(match);
  if (!group) throw new Error(`the grammar's rule ${rule} has no list of words`);
  return group[1].split('|');
}

export function registerLanguage(monaco: Monaco): void {
  monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.netspec'], aliases: ['NetSpec'] });
  const keywords = [...wordsOf('statement-keyword'), ...wordsOf('layer')];
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, {
    keywords,
    settings: wordsOf('setting'),
    builtins: wordsOf('builtin'),
    constants: [...wordsOf('builtin-constant'), ...wordsOf('math-constant')],
    tokenizer: {
      root: [
        [/#.*$/, 'comment'],
        [/"([^"\\]|\\.)*("|$)/, 'string'],
        [/(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?/, 'number'],
        // A derivative's primes (sigmoid'') are an operator of their own, so the name keeps its colour.
        [/'+/, 'operator'],
        [/[A-Za-z_][A-Za-z0-9_]*/, { cases: { '@keywords': 'keyword', '@settings': 'keyword.setting', '@builtins': 'predefined', '@constants': 'constant', '@default': 'identifier' } }],
        [/->|[-+*/^=]/, 'operator'],
      ],
    },
  } as M.languages.IMonarchLanguage);
  const c = configuration;
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, {
    comments: { lineComment: c.comments.lineComment },
    brackets: c.brackets as [string, string][],
    autoClosingPairs: c.autoClosingPairs,
    surroundingPairs: c.surroundingPairs.map(([open, close]) => ({ open, close })),
    wordPattern: new RegExp(c.wordPattern),
    indentationRules: { increaseIndentPattern: new RegExp(c.indentationRules.increaseIndentPattern), decreaseIndentPattern: new RegExp(c.indentationRules.decreaseIndentPattern) },
    onEnterRules: c.onEnterRules.map((r) => ({
      beforeText: new RegExp(r.beforeText),
      ...('afterText' in r && r.afterText ? { afterText: new RegExp(r.afterText) } : {}),
      action: { indentAction: r.action.indent === 'indentOutdent' ? monaco.languages.IndentAction.IndentOutdent : monaco.languages.IndentAction.Indent },
    })),
  });
  monaco.editor.defineTheme('netspec', {
    base: 'vs',
    inherit: true,
    rules: [
      { token: 'keyword', foreground: '0000c0', fontStyle: 'bold' },
      { token: 'keyword.setting', foreground: '795e26' },
      { token: 'predefined', foreground: '267f99' },
      { token: 'constant', foreground: '0070c1' },
      { token: 'number', foreground: '098658' },
      { token: 'comment', foreground: '6a8759', fontStyle: 'italic' },
      { token: 'string', foreground: 'a31515' },
    ],
    colors: {},
  });
}
