import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';

export type SymbolKind = 'network' | 'layer' | 'data' | 'train' | 'probe' | 'let' | 'eval' | 'fn';

/** One entry of the outline. */
export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  /** The whole statement or item. */
  span: Span;
  /** The name itself, selected when the entry is chosen. */
  selection: Span;
  children: OutlineSymbol[];
}

const text = (file: ast.SourceFile, n: Span) => file.text.slice(n.start, n.end);

/** The outline of a file: its statements, and each network's layers. */
export function outline(file: ast.SourceFile): OutlineSymbol[] {
  return file.statements.map((s): OutlineSymbol => {
    const leaf = (name: string, detail: string, kind: SymbolKind, selection: Span): OutlineSymbol => ({ name, detail, kind, span: s, selection, children: [] });
    switch (s.kind) {
      case 'network':
        return {
          name: s.name.text,
          detail: 'network',
          kind: 'network',
          span: s,
          selection: s.name,
          children: s.items
            .filter((i): i is ast.InputItem | ast.DenseItem => i.kind === 'input' || i.kind === 'dense')
            .map((i) => ({
              name: i.name.text,
              detail: `${i.kind}[${text(file, i.width)}]${i.kind === 'dense' ? ` ${text(file, i.activation)}` : ''}`,
              kind: 'layer',
              span: i,
              selection: i.name,
              children: [],
            })),
        };
      case 'data': return leaf(s.name.text, 'data', 'data', s.name);
      case 'train': return leaf(`train ${s.network.text}`, `on ${s.data.text}`, 'train', s.network);
      case 'probe': return leaf(`probe ${s.network.text}`, `${text(file, s.input)} -> ${text(file, s.target)}`, 'probe', s.network);
      case 'let': return leaf(s.name.text, `= ${text(file, s.value)}`, 'let', s.name);
      case 'eval': return leaf(`eval ${text(file, s.value)}`, '', 'eval', s.value);
      case 'fn': return leaf(s.name.text, `(${s.param.text}) = ${text(file, s.body)}`, 'fn', s.name);
    }
  });
}
