import * as ast from './ast';
import { lex, type Comment, type SyntaxError, type Token } from './lexer';
import { groupDigits, type Span } from './text';

export interface ParseResult {
  file: ast.SourceFile;
  comments: Comment[];
  /** Lexical and syntax errors, each once, in source order. */
  errors: SyntaxError[];
}

/** The longest text parsed (UTF-16 code units): a longer file is one error, `too-large`. */
export const MAX_TEXT_LENGTH = 2_000_000;
/** How deep expressions may nest before the parser refuses them instead of the stack overflowing. */
export const MAX_NESTING = 400;
/** How tall an expression tree may be (a chain `a + b + …` counts each operator). */
export const MAX_HEIGHT = 1000;

const STATEMENT_WORDS = new Set<string>(ast.STATEMENT_KEYWORDS);
const ITEM_WORDS = new Set<string>(ast.NETWORK_ITEM_KEYWORDS);

/** Thrown inside the parser to abandon one statement or block item; caught at that boundary. */
class Abandon {
  constructor(readonly error: SyntaxError) {}
}

/**
 * Parses a whole file. Never throws: it returns a tree and a list of errors. A mistake abandons
 * only the statement (or the block item) it is in; parsing resumes at the next statement keyword
 * (or the next line of the block), so independent mistakes are each reported once.
 */
export function parse(text: string): ParseResult {
  if (text.length > MAX_TEXT_LENGTH) {
    // Past this, one analysis per keystroke would take seconds and gigabytes: refuse, once.
    const message = `This file has ${groupDigits(text.length)} characters; NetSpec reads files of up to ${groupDigits(MAX_TEXT_LENGTH)}. Split it, or read large data from a CSV file (\`data … from "file.csv"\`).`;
    return { file: { text, statements: [] }, comments: [], errors: [{ start: 0, end: 0, code: 'too-large', message }] };
  }
  const lexed = lex(text);
  const parser = new Parser(lexed.tokens, lexed.errors);
  const statements = parser.file();
  const errors = [...lexed.errors, ...parser.errors].sort((a, b) => a.start - b.start);
  return { file: { text, statements }, comments: lexed.comments, errors };
}

/**
 * Parses the segment `text` of a larger file, which starts at `offset` there, at the start of a
 * line whose first token is a statement keyword (or at the start of the file); `next` is the
 * keyword token that starts the following segment (absent at the end of the file).
 *
 * Why this equals the matching part of `parse(file)`: the lexer restarts at every line (a token,
 * a string or a comment never spans a line break), and a statement keyword at the start of a line
 * is never consumed inside a statement (names, expressions and blocks all stop at it), so the
 * file loop of `parse` reaches it, in the state it starts in. What a statement before it looks at
 * is its own tokens and that keyword. Offsets in the result are the file's.
 */
export function parseSegment(text: string, offset: number, next?: Token): { statements: ast.Statement[]; errors: SyntaxError[] } {
  const lexed = lex(text);
  const shift = <T extends Span>(x: T) => {
    x.start += offset;
    x.end += offset;
    return x;
  };
  const tokens = lexed.tokens.map(shift);
  const lexErrors = lexed.errors.map(shift);
  if (next) tokens[tokens.length - 1] = next;
  const parser = new Parser(tokens, lexErrors, tokens.length - 1);
  const statements = parser.file();
  const errors = [...lexErrors, ...parser.errors].sort((a, b) => a.start - b.start);
  return { statements, errors };
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly errors: SyntaxError[] = [];

  /** `end`: the index of the token the file loop stops at (the end of the file, or of a segment). */
  constructor(private readonly tokens: Token[], private readonly lexErrors: readonly SyntaxError[], private readonly end = tokens.length - 1) {}

  /**
   * Records a syntax error, unless a lexical error already explains it: a character the lexer
   * dropped between `from` and the error is the one mistake, reported once. A character dropped
   * right after the error's token is not in it (`let\ntrain\0`: the error is `train`), and must not
   * count: in the editor's parse by segments it belongs to the next segment, which this one cannot see.
   */
  private record(error: SyntaxError, from: number): void {
    if (this.lexErrors.some((l) => l.start >= from && (l.start < error.end || l.start === error.start))) return;
    this.errors.push(error);
  }

  file(): ast.Statement[] {
    const statements: ast.Statement[] = [];
    while (!this.atEof() && this.i < this.end) {
      const tok = this.peek();
      const from = this.prevEnd();
      if (tok.kind === 'ident' && STATEMENT_WORDS.has(tok.text)) {
        const start = this.i;
        try {
          statements.push(this.statement());
        } catch (e) {
          if (!(e instanceof Abandon)) throw e;
          this.record(e.error, tok.start);
          if (this.i === start) this.i++;
          this.skipToStatement();
        }
      } else {
        this.record(this.unexpected(tok, 'a statement (network, data, train, probe, let, eval or fn)'), from);
        this.i++;
        this.skipToStatement();
      }
    }
    return statements;
  }

  // ---- statements -------------------------------------------------------------------------

  private statement(): ast.Statement {
    const kw = this.next();
    switch (kw.text) {
      case 'network': return this.network(kw);
      case 'data': return this.data(kw);
      case 'train': return this.train(kw);
      case 'probe': return this.probe(kw);
      case 'let': return this.let(kw);
      case 'eval': {
        const value = this.recoveringExpr(kw.start);
        return { kind: 'eval', value, start: kw.start, end: value.end };
      }
      default: return this.fn(kw);
    }
  }

  private network(kw: Token): ast.NetworkStmt {
    const name = this.name('a network name after `network`');
    const { items, end, incomplete } = this.block('network', () => this.networkItem());
    return { kind: 'network', name, items, incomplete, start: kw.start, end };
  }

  private networkItem(): ast.NetworkItem {
    const kw = this.peek();
    if (kw.kind !== 'ident' || !ITEM_WORDS.has(kw.text)) {
      throw this.abandon(this.unexpected(kw, 'a layer or setting (input, dense, loss, init, weights or bias)'));
    }
    this.i++;
    switch (kw.text) {
      case 'input': {
        const name = this.name('the input layer\'s name, as in `input x[2]`');
        const width = this.width();
        const next = this.peek();
        if (next.kind === 'ident' && next.text === 'features' && !next.lineStart) {
          this.i++;
          const keyword = { text: next.text, start: next.start, end: next.end };
          const list = this.expr();
          return { kind: 'input', name, width, features: { keyword, list }, start: kw.start, end: this.prevEnd() };
        }
        return { kind: 'input', name, width, start: kw.start, end: this.prevEnd() };
      }
      case 'dense': {
        const name = this.name('the layer\'s name, as in `dense h[4] tanh`');
        const width = this.width();
        const next = this.peek();
        if (next.lineStart && (this.isPunct('}') || (next.kind === 'ident' && ITEM_WORDS.has(next.text)))) {
          throw this.abandon(this.unexpected(next, 'an activation after the layer width, as in `dense h[4] tanh`'));
        }
        const actName = this.name('an activation after the layer width, as in `dense h[4] tanh`');
        const args = this.isPunct('(') ? this.args() : [];
        const activation: ast.ActivationRef = { name: actName, args, start: actName.start, end: this.prevEnd() };
        let nobias: ast.Node | undefined;
        if (this.peek().kind === 'ident' && this.peek().text === 'nobias') {
          const t = this.next();
          nobias = { start: t.start, end: t.end };
        }
        return { kind: 'dense', name, width, activation, nobias, start: kw.start, end: this.prevEnd() };
      }
      case 'loss': {
        const loss = this.name('a loss after `loss` (squared_error, mse, cross_entropy or binary_cross_entropy)');
        return { kind: 'loss', loss, start: kw.start, end: loss.end };
      }
      case 'init': {
        const scheme = this.name('an initialisation after `init` (xavier, he, zeros or uniform(LO, HI))');
        const args = this.isPunct('(') ? this.args() : [];
        let seed: ast.Expr | undefined;
        if (this.peek().kind === 'ident' && this.peek().text === 'seed') {
          this.i++;
          seed = this.expr();
        }
        return { kind: 'init', scheme, args, seed, start: kw.start, end: this.prevEnd() };
      }
      default: {
        const kind = kw.text as 'weights' | 'bias';
        const layer = this.name(`a layer name after \`${kind}\`, as in \`${kind} h = ${kind === 'weights' ? '[[…]]' : '[…]'}\``);
        this.expect('=', `'=' after \`${kind} ${layer.text}\``);
        const value = this.expr();
        return { kind, layer, value, start: kw.start, end: value.end };
      }
    }
  }

  /** `[N]` after a layer name. */
  private width(): ast.Expr {
    this.expect('[', "'[' and the layer width, as in `h[4]`");
    const width = this.expr();
    this.expect(']', "']' after the layer width");
    return width;
  }

  /** A data definition, then the word `standardize` if it follows (on the same line or the next). */
  private data(kw: Token): ast.DataStmt {
    const stmt = this.dataSource(kw);
    const tok = this.peek();
    if (tok.kind === 'ident' && tok.text === 'standardize') {
      this.i++;
      stmt.standardize = { start: tok.start, end: tok.end };
      stmt.end = tok.end;
    } else if (tok.kind === 'ident' && !tok.lineStart && !STATEMENT_WORDS.has(tok.text)) {
      // A misspelt `standardize` (or a stray word): reported, and the data set is kept.
      this.record(this.unexpected(tok, '`standardize` or the end of the data definition'), tok.start);
      while (!this.atEof() && !this.peek().lineStart) this.i++;
    }
    return stmt;
  }

  private dataSource(kw: Token): ast.DataStmt {
    const name = this.name('a data set name after `data`');
    const tok = this.peek();
    if (this.isPunct('{')) {
      const open = tok;
      const { items, end } = this.block('data', () => this.sample());
      return { kind: 'data', name, source: { kind: 'inline', samples: items, start: open.start, end }, start: kw.start, end };
    }
    if (this.isPunct('=')) {
      this.i++;
      const generator = this.name('a generator after `=` (xor, circle, spiral, gauss, moons or function(…))');
      if (generator.text === 'function' && this.isPunct('(')) return this.functionData(kw, name, generator);
      const args = this.isPunct('(') ? this.namedArgs() : [];
      const end = this.prevEnd();
      return { kind: 'data', name, source: { kind: 'generator', generator, args, start: generator.start, end }, start: kw.start, end };
    }
    if (tok.kind === 'ident' && tok.text === 'from') {
      this.i++;
      const pathTok = this.peek();
      if (pathTok.kind !== 'string') throw this.abandon(this.unexpected(pathTok, 'a file name in quotes after `from`, as in `from "points.csv"`'));
      this.i++;
      const args = this.isPunct('(') ? this.namedArgs() : [];
      const end = this.prevEnd();
      const path = { start: pathTok.start, end: pathTok.end, value: String(pathTok.value) };
      return { kind: 'data', name, source: { kind: 'file', path, args, start: pathTok.start, end }, start: kw.start, end };
    }
    throw this.abandon(this.unexpected(tok, "'{' with samples, '= generator(…)' or 'from \"file.csv\"' after the data set's name"));
  }

  /** `function(EXPR, n: …, …)` after `data NAME =`: an expression, then named arguments. */
  private functionData(kw: Token, name: ast.Name, keyword: ast.Name): ast.DataStmt {
    this.expect('(', "'('");
    const expr = this.expr();
    const args: ast.NamedArg[] = [];
    while (this.accept(',')) {
      const argName = this.name('an argument name, as in `n: 100`');
      this.expect(':', `':' after \`${argName.text}\``);
      const value = this.expr();
      args.push({ name: argName, value, start: argName.start, end: value.end });
    }
    this.expect(')', "')' or ',' in the argument list");
    const end = this.prevEnd();
    return { kind: 'data', name, source: { kind: 'function', keyword, expr, args, start: keyword.start, end }, start: kw.start, end };
  }

  private sample(): ast.Sample {
    const input = this.expr();
    this.expect('->', "'->' between a sample's input and its target, as in `[0, 1] -> [1]`");
    const target = this.expr();
    return { input, target, start: input.start, end: target.end };
  }

  private namedArgs(): ast.NamedArg[] {
    this.expect('(', "'('");
    const args: ast.NamedArg[] = [];
    if (!this.isPunct(')')) {
      do {
        const name = this.name('an argument name, as in `n: 200`');
        this.expect(':', `':' after \`${name.text}\``);
        const value = this.expr();
        args.push({ name, value, start: name.start, end: value.end });
      } while (this.accept(','));
    }
    this.expect(')', "')' or ',' in the argument list");
    return args;
  }

  private train(kw: Token): ast.TrainStmt {
    const network = this.name('a network name after `train`');
    const on = this.peek();
    if (on.kind !== 'ident' || on.text !== 'on') throw this.abandon(this.unexpected(on, '`on` and a data set, as in `train xor on xor_data`'));
    this.i++;
    const data = this.name('a data set name after `on`');
    // Without a block (the line ends after the data set's name), every option has its default.
    const next = this.peek();
    if (!this.isPunct('{') && (next.kind === 'eof' || next.lineStart)) return { kind: 'train', network, data, options: [], start: kw.start, end: data.end };
    const { items, end } = this.block('train', () => {
      const name = this.name('a training option (optimizer, learning_rate, epochs, batch, seed, split, l2, l1, schedule, patience or precision)');
      const value = this.expr();
      return { name, value, start: name.start, end: value.end };
    });
    return { kind: 'train', network, data, options: items, start: kw.start, end };
  }

  private probe(kw: Token): ast.ProbeStmt {
    const network = this.name('a network name after `probe`');
    const input = this.expr();
    this.expect('->', "'->' between the probe's input and its target, as in `probe xor [1, 0] -> [1]`");
    const target = this.expr();
    return { kind: 'probe', network, input, target, start: kw.start, end: target.end };
  }

  private let(kw: Token): ast.LetStmt {
    const name = this.name('a name after `let`');
    this.expect('=', `'=' after \`let ${name.text}\``);
    const value = this.recoveringExpr(kw.start);
    return { kind: 'let', name, value, start: kw.start, end: value.end };
  }

  private fn(kw: Token): ast.FnStmt {
    const name = this.name('a function name after `fn`');
    this.expect('(', `'(' and a parameter after \`fn ${name.text}\`, as in \`fn ${name.text}(z) = …\``);
    const param = this.name('one parameter name');
    this.expect(')', "')' after the parameter (a fn takes exactly one)");
    this.expect('=', "'=' and the function's body");
    const body = this.recoveringExpr(kw.start);
    return { kind: 'fn', name, param, body, start: kw.start, end: body.end };
  }

  /**
   * `{ item* }`. A bad item is reported and skipped to the next line of the block, so the rest of
   * the block still parses. A block left open ends at the next statement keyword.
   */
  private block<T>(what: string, item: () => T): { items: T[]; end: number; incomplete: boolean } {
    this.expect('{', `'{' to open the ${what} block`);
    const items: T[] = [];
    let incomplete = false;
    for (;;) {
      const tok = this.peek();
      if (this.isPunct('}')) {
        this.i++;
        return { items, end: tok.end, incomplete };
      }
      if (tok.kind === 'eof' || (tok.kind === 'ident' && STATEMENT_WORDS.has(tok.text) && tok.lineStart)) {
        const at = this.prevEnd();
        this.errors.push({ start: at, end: at, code: 'unclosed-block', message: `The ${what} block is missing its closing '}'.` });
        return { items, end: at, incomplete };
      }
      const start = this.i;
      try {
        items.push(item());
      } catch (e) {
        if (!(e instanceof Abandon)) throw e;
        this.record(e.error, tok.start);
        incomplete = true;
        if (this.i === start) this.i++;
        while (!this.atEof() && !this.isPunct('}') && !this.peek().lineStart) this.i++;
      }
    }
  }

  // ---- expressions ------------------------------------------------------------------------
  // Loosest first: `+ -`, then `* /`, then unary `-`, then `^` (right-associative).

  expr(): ast.Expr {
    return this.nested(() => {
      let left = this.term();
      while (this.isPunct('+') || this.isPunct('-')) {
        const op = this.next().text as '+' | '-';
        const right = this.term();
        left = this.node({ kind: 'binary', op, left, right, start: left.start, end: right.end }, [left, right]);
      }
      return left;
    });
  }

  private term(): ast.Expr {
    let left = this.unary();
    while (this.isPunct('*') || this.isPunct('/')) {
      const op = this.next().text as '*' | '/';
      const right = this.unary();
      left = this.node({ kind: 'binary', op, left, right, start: left.start, end: right.end }, [left, right]);
    }
    return left;
  }

  private unary(): ast.Expr {
    if (this.isPunct('-')) {
      const minus = this.next();
      const operand = this.nested(() => this.unary());
      return this.node({ kind: 'unary', op: '-', operand, start: minus.start, end: operand.end }, [operand]);
    }
    return this.power();
  }

  private power(): ast.Expr {
    const base = this.primary();
    if (this.isPunct('^')) {
      this.i++;
      // Right-associative, and the exponent may be negated: 2 ^ -1, 2 ^ 3 ^ 2 = 2 ^ 9.
      const exponent = this.nested(() => this.unary());
      return this.node({ kind: 'binary', op: '^', left: base, right: exponent, start: base.start, end: exponent.end }, [base, exponent]);
    }
    return base;
  }

  /**
   * The expression that ends a statement. If it is malformed, the error is recorded and an error
   * node stands in, so the statement (and the name it declares) survives: later uses of the name
   * are not reported again as unknown.
   */
  private recoveringExpr(statementStart: number): ast.Expr {
    const start = this.peek().start;
    try {
      return this.expr();
    } catch (e) {
      if (!(e instanceof Abandon)) throw e;
      this.record(e.error, statementStart);
      this.skipToStatement();
      return { kind: 'error', start, end: Math.max(start, this.prevEnd()) };
    }
  }

  /** The height of each expression tree built so far (a leaf is 1). */
  private readonly heights = new WeakMap<ast.Expr, number>();

  /**
   * Records a new expression node and refuses a tree taller than MAX_HEIGHT. Nesting depth alone
   * does not bound it: `1 + 1 + … + 1` builds a tree as tall as it is long, and every later
   * pass (checking, evaluation, differentiation) walks it recursively.
   */
  private node<T extends ast.Expr>(e: T, children: readonly ast.Expr[]): T {
    let h = 0;
    for (const c of children) h = Math.max(h, this.heights.get(c) ?? 1);
    if (h + 1 > MAX_HEIGHT) {
      throw this.abandon({ start: e.start, end: e.end, code: 'too-deep', message: `This expression is more than ${MAX_HEIGHT} operations deep; split it with \`let\`.` });
    }
    this.heights.set(e, h + 1);
    return e;
  }

  /** Counts a level of nesting: every `expr`, and chains that do not pass through it (`- - - x`, `2^2^2`). */
  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_NESTING) {
      const tok = this.peek();
      throw this.abandon({ start: tok.start, end: tok.end, code: 'too-deep', message: `This expression nests more than ${MAX_NESTING} levels deep; split it with \`let\`.` });
    }
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private primary(): ast.Expr {
    const tok = this.peek();
    if (tok.kind === 'number') {
      this.i++;
      return { kind: 'number', value: tok.value as number, start: tok.start, end: tok.end };
    }
    if (tok.kind === 'ident') {
      if (STATEMENT_WORDS.has(tok.text)) {
        throw this.abandon(this.unexpected(tok, 'an expression'));
      }
      this.i++;
      const name: ast.Name = { text: tok.text, start: tok.start, end: tok.end };
      let primes = 0;
      while (this.isPunct("'")) {
        this.i++;
        primes++;
      }
      if (this.isPunct('(')) {
        const args = this.args();
        return this.node({ kind: 'call', callee: name, primes, args, start: tok.start, end: this.prevEnd() }, args);
      }
      if (primes > 0) throw this.abandon(this.unexpected(this.peek(), `'(' and an argument after \`${tok.text}${"'".repeat(primes)}\``));
      return { kind: 'name', name, start: tok.start, end: tok.end };
    }
    if (this.isPunct('(')) {
      this.i++;
      const inner = this.expr();
      this.expect(')', "')' to close '('");
      // The parentheses belong to the expression's source text: `(1 + 2) * 3`, not `1 + 2) * 3`.
      return this.node({ ...inner, start: tok.start, end: this.prevEnd() }, [inner]);
    }
    if (this.isPunct('[')) {
      this.i++;
      const items: ast.Expr[] = [];
      if (!this.isPunct(']')) {
        do items.push(this.expr());
        while (this.accept(','));
      }
      this.expect(']', "']' or ',' in the vector");
      return this.node({ kind: 'vector', items, start: tok.start, end: this.prevEnd() }, items);
    }
    throw this.abandon(this.unexpected(tok, 'an expression (a number, a name, a vector or a call)'));
  }

  private args(): ast.Expr[] {
    this.expect('(', "'('");
    const args: ast.Expr[] = [];
    if (!this.isPunct(')')) {
      do args.push(this.expr());
      while (this.accept(','));
    }
    this.expect(')', "')' or ',' in the argument list");
    return args;
  }

  // ---- tokens -----------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private atEof(): boolean {
    return this.peek().kind === 'eof';
  }

  private prevEnd(): number {
    return this.i > 0 ? this.tokens[this.i - 1].end : 0;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private accept(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }

  private expect(p: string, what: string): Token {
    if (!this.isPunct(p)) throw this.abandon(this.unexpected(this.peek(), what));
    return this.next();
  }

  private name(what: string): ast.Name {
    const tok = this.peek();
    if (tok.kind !== 'ident') throw this.abandon(this.unexpected(tok, what));
    if (STATEMENT_WORDS.has(tok.text)) {
      // Consumed when on the same line, so that recovery does not restart a statement at this
      // very word (`let eval = 3`); at the start of a line it more likely begins the next one.
      if (!tok.lineStart) this.i++;
      throw this.abandon({ start: tok.start, end: tok.end, code: 'reserved-word', message: `Expected ${what}, but \`${tok.text}\` is a reserved word.` });
    }
    this.i++;
    return { text: tok.text, start: tok.start, end: tok.end };
  }

  private abandon(error: SyntaxError): Abandon {
    return new Abandon(error);
  }

  /**
   * "Expected X, found Y". A token that starts a new line is reported at the end of the line
   * before it: that is where something is missing, and the next line is not to blame.
   */
  private unexpected(tok: Token, what: string): SyntaxError {
    const found = tok.kind === 'eof' ? 'the end of the file' : `'${tok.text.length > 20 ? tok.text.slice(0, 20) + '…' : tok.text}'`;
    const span: Span = (tok.lineStart || tok.kind === 'eof') && this.i > 0 ? { start: this.prevEnd(), end: this.prevEnd() } : { start: tok.start, end: tok.end };
    const where = tok.lineStart && tok.kind !== 'eof' && this.i > 0 ? 'the end of the line' : found;
    return { ...span, code: 'syntax', message: `Expected ${what}, found ${where}.` };
  }

  private skipToStatement(): void {
    while (!this.atEof()) {
      const t = this.peek();
      if (t.kind === 'ident' && STATEMENT_WORDS.has(t.text)) return;
      this.i++;
    }
  }
}
