// keepalived.conf syntax, as keepalived 2.2's lib/parser.c reads it: lines,
// `#`/`!` comments outside double quotes, `\` line continuation, quoted words,
// `{`/`}` split off wherever they stand, `include` anywhere (spliced where it
// stands), `$NAME=VALUE` parameters. A statement is the words of one line up
// to a brace; a `{` after a statement (same line or a later one) opens its block.
// Pure: included files come from a resolver the caller gives.
import { describedText, type MessageId, type MessageParams } from '../model/messages';

export interface SourceRef {
  /** 1-based line in `file` (the main file when `file` is absent). */
  line: number;
  /** The included file the line is in; absent for the main file. */
  file?: string;
}

export interface KeepalivedNote extends SourceRef {
  level: 'warning' | 'error';
  /** In English; the console says messageId with params in its language when it is there. */
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
}

/** An error said by message id (English text, id and parameters together). */
export function errorNote(ref: SourceRef, id: MessageId, params: MessageParams = {}): KeepalivedNote {
  return { ...ref, level: 'error', ...describedText(id, params) };
}

export interface Statement extends SourceRef {
  words: string[];
  /** The `{ ... }` that follows, when there is one. */
  block?: Statement[];
}

export interface IncludedFile {
  path: string;
  text: string;
}

/**
 * The files an `include` names, in the order keepalived reads them (glob(3)
 * order), or why none could be read. `pattern` is as written; `fromFile` is
 * the including file (undefined for the main file), relative patterns
 * resolve against its directory as keepalived does.
 */
export type IncludeResolver = (pattern: string, fromFile: string | undefined) => IncludedFile[] | { error: string };

export interface SyntaxLimits {
  /** Nested include depth. */
  maxIncludeDepth: number;
  /** Included files in all. */
  maxIncludedFiles: number;
  /** Characters read in all (main file plus includes). */
  maxTotalChars: number;
}

export const DEFAULT_SYNTAX_LIMITS: SyntaxLimits = { maxIncludeDepth: 8, maxIncludedFiles: 256, maxTotalChars: 64 * 1024 * 1024 };

function at(ref: SourceRef): SourceRef {
  return ref.file === undefined ? { line: ref.line } : { line: ref.line, file: ref.file };
}

/** `line N` or `FILE:N`, as the CLI prints a note's place. */
export function formatPlace(ref: SourceRef): string {
  return ref.file === undefined ? `line ${ref.line}` : `${ref.file}:${ref.line}`;
}

/**
 * Builds the statement tree as the lexer reads (no token list: a large
 * configuration makes hundreds of thousands of words, kept out of the GC's way).
 */
class TreeBuilder {
  readonly root: Statement[] = [];
  private readonly stack: Array<{ body: Statement[]; openedAt: SourceRef }> = [{ body: this.root, openedAt: { line: 0 } }];
  private current: Statement | null = null;

  constructor(private readonly notes: KeepalivedNote[]) {}

  private level(): { body: Statement[]; openedAt: SourceRef } {
    return this.stack[this.stack.length - 1] ?? { body: this.root, openedAt: { line: 0 } };
  }

  word(text: string, ref: SourceRef): void {
    if (!this.current) {
      this.current = ref.file === undefined ? { line: ref.line, words: [] } : { line: ref.line, file: ref.file, words: [] };
      this.level().body.push(this.current);
    }
    this.current.words.push(text);
  }

  endOfLine(): void {
    this.current = null;
  }

  open(ref: SourceRef): void {
    const level = this.level();
    // `{` opens the block of the statement on its line, or of the one just before it.
    const owner = this.current ?? level.body[level.body.length - 1];
    if (!owner || owner.block) {
      this.notes.push(errorNote(at(ref), 'importBraceWithoutKeyword'));
      const orphan: Statement = { ...at(ref), words: [], block: [] };
      level.body.push(orphan);
      this.stack.push({ body: orphan.block ?? [], openedAt: at(ref) });
    } else {
      owner.block = [];
      this.stack.push({ body: owner.block, openedAt: at(ref) });
    }
    this.current = null;
  }

  close(ref: SourceRef): void {
    if (this.stack.length === 1) this.notes.push(errorNote(at(ref), 'importBraceUnopened'));
    else this.stack.pop();
    this.current = null;
  }

  finish(): Statement[] {
    for (const open of this.stack.slice(1).reverse()) {
      this.notes.push(errorNote(open.openedAt, 'importBraceUnclosed'));
    }
    return this.root;
  }
}

class Lexer {
  readonly tree: TreeBuilder;
  private readonly definitions = new Map<string, string>();
  /** The config-ids named by `@id` / `@^id` lines, in order of first appearance. */
  readonly conditionalIds = new Set<string>();
  private includedFiles = 0;
  private totalChars = 0;

  constructor(
    private readonly notes: KeepalivedNote[],
    private readonly resolve: IncludeResolver | undefined,
    private readonly limits: SyntaxLimits,
    private readonly configId: string | undefined,
  ) {
    this.tree = new TreeBuilder(notes);
  }

  private note(level: KeepalivedNote['level'], ref: SourceRef, message: string): void {
    this.notes.push({ ...at(ref), level, message });
  }

  file(text: string, file: string | undefined, depth: number): void {
    this.totalChars += text.length;
    if (this.totalChars > this.limits.maxTotalChars) {
      this.notes.push(errorNote({ line: 1, ...(file === undefined ? {} : { file }) }, 'importTooLarge', { max: this.limits.maxTotalChars }));
      return;
    }
    const lines = text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const lineNumber = index + 1;
      let line = decomment(lines[index] ?? '');
      // A trailing backslash joins the next line (keepalived's continuation).
      while (line.endsWith('\\') && index + 1 < lines.length) {
        index++;
        line = `${line.slice(0, -1)} ${decomment(lines[index] ?? '')}`;
      }
      this.line(line, { line: lineNumber, ...(file === undefined ? {} : { file }) }, depth);
    }
  }

  private line(raw: string, ref: SourceRef, depth: number): void {
    let text = raw.trim();
    if (text === '') return;
    const definition = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text);
    if (definition) {
      const value = definition[2] ?? '';
      if (value.trim() === '{') {
        this.note('warning', ref, `multi-line parameter $${definition[1]} is not supported; its uses are left as written`);
        return;
      }
      this.definitions.set(definition[1] ?? '', value);
      return;
    }
    if (this.definitions.size > 0 && text.includes('$')) text = this.substitute(text);
    if (text.startsWith('@')) {
      // keepalived -i ID: `@ID rest` is read only by ID, `@^ID rest` by every other director.
      const conditional = /^@(\^?)(\S*)\s*(.*)$/.exec(text);
      const negated = conditional?.[1] === '^';
      const id = conditional?.[2] ?? '';
      if (id !== '') this.conditionalIds.add(id);
      if (this.configId === undefined) {
        this.note('warning', ref, `conditional line "${text.split(/\s/)[0]}" skipped: it depends on the director's config-id, which the console does not know`);
        return;
      }
      if ((id === this.configId) === negated) return;
      text = conditional?.[3] ?? '';
      if (text === '') return;
    }
    if (text.startsWith('~')) {
      this.note('warning', ref, 'sequence lines (~SEQ/~LST) are not supported; line skipped');
      return;
    }
    const include = /^include[rmwba]?\s+(.+)$/.exec(text);
    if (include) {
      this.include(unquote((include[1] ?? '').trim()), ref, depth);
      return;
    }
    this.words(text, ref);
    this.tree.endOfLine();
  }

  private substitute(text: string): string {
    let current = text;
    // Recursive like keepalived, bounded so a self-reference cannot loop.
    for (let round = 0; round < 16; round++) {
      const next = current.replace(
        /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/g,
        (match, braced: string | undefined, bare: string | undefined) => this.definitions.get(braced ?? bare ?? '') ?? match,
      );
      if (next === current) return next;
      current = next;
    }
    return current;
  }

  private include(pattern: string, ref: SourceRef, depth: number): void {
    if (!this.resolve) {
      this.notes.push(errorNote(at(ref), 'importIncludeUnreadable', { pattern }));
      return;
    }
    if (depth >= this.limits.maxIncludeDepth) {
      this.notes.push(errorNote(at(ref), 'importIncludeDepth', { pattern, max: this.limits.maxIncludeDepth }));
      return;
    }
    const found = this.resolve(pattern, ref.file);
    if (!Array.isArray(found)) {
      this.notes.push(errorNote(at(ref), 'importIncludeError', { pattern, error: found.error }));
      return;
    }
    if (found.length === 0) this.note('warning', ref, `include "${pattern}" matched no files`);
    for (const included of found) {
      this.includedFiles++;
      if (this.includedFiles > this.limits.maxIncludedFiles) {
        this.notes.push(errorNote(at(ref), 'importIncludeTooMany', { pattern, max: this.limits.maxIncludedFiles }));
        return;
      }
      this.file(included.text, included.path, depth + 1);
    }
  }

  /** Words and braces of one line; quotes group words and are removed. */
  private words(text: string, ref: SourceRef): void {
    if (!/["'\\]/.test(text)) {
      // Fast path, most lines: no quotes or escapes.
      for (const word of text.match(/[{}]|[^\s{}]+/g) ?? []) {
        if (word === '{') this.tree.open(ref);
        else if (word === '}') this.tree.close(ref);
        else this.tree.word(word, ref);
      }
      return;
    }
    let index = 0;
    while (index < text.length) {
      const char = text[index] ?? '';
      if (char === ' ' || char === '\t') {
        index++;
        continue;
      }
      if (char === '{' || char === '}') {
        if (char === '{') this.tree.open(ref);
        else this.tree.close(ref);
        index++;
        continue;
      }
      let word = '';
      let quote = '';
      while (index < text.length) {
        const c = text[index] ?? '';
        if (quote) {
          if (c === quote) quote = '';
          else if (c === '\\' && index + 1 < text.length) {
            index++;
            word += text[index] ?? '';
          } else word += c;
          index++;
          continue;
        }
        if (c === ' ' || c === '\t' || c === '{' || c === '}') break;
        if (c === '"' || c === "'") quote = c;
        else word += c;
        index++;
      }
      if (quote) this.notes.push(errorNote(at(ref), 'importMissingQuote', { quote }));
      this.tree.word(word, ref);
    }
  }
}

/** Strip a comment (`#` or `!` outside double quotes); `\#` and `\!` are literal. */
function decomment(line: string): string {
  if (!/[#!"\\]/.test(line)) return line.trimEnd();
  let quoted = false;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '"') quoted = !quoted;
    if (!quoted && c === '\\' && (line[i + 1] === '#' || line[i + 1] === '!')) {
      out += line[i + 1];
      i++;
      continue;
    }
    if (!quoted && (c === '#' || c === '!')) break;
    out += c;
  }
  return out.trimEnd();
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** Lex (with includes) and build the statement tree. */
export interface SyntaxOptions {
  resolveInclude?: IncludeResolver;
  limits?: Partial<SyntaxLimits>;
  /**
   * Read as `keepalived -i CONFIG_ID` does: `@CONFIG_ID` lines are kept and
   * other directors' lines skipped. Without it every conditional line is
   * skipped with a warning.
   */
  configId?: string;
}

export function parseSyntax(text: string, options: SyntaxOptions = {}): { statements: Statement[]; notes: KeepalivedNote[]; conditionalIds: string[] } {
  const notes: KeepalivedNote[] = [];
  const lexer = new Lexer(notes, options.resolveInclude, { ...DEFAULT_SYNTAX_LIMITS, ...options.limits }, options.configId);
  lexer.file(text, undefined, 0);
  return { statements: lexer.tree.finish(), notes, conditionalIds: [...lexer.conditionalIds] };
}

// ---------------------------------------------------------------------------
// Glob, as glob(3) with GLOB_BRACE matches one path segment (for the resolver).

/** Expand `{a,b}` alternatives (nested allowed), as GLOB_BRACE does. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const cuts = [open, ...commas, close];
  const out: string[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const alternative = pattern.slice((cuts[i] ?? 0) + 1, cuts[i + 1]);
    out.push(...expandBraces(`${head}${alternative}${tail}`));
  }
  return out;
}

/** Whether a segment pattern has glob magic (`*`, `?`, `[`). */
export function hasGlobMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** A matcher for one path segment: `*`, `?`, `[...]` (with `!`/`^` negation); names starting with `.` need a literal dot. */
export function segmentMatcher(segment: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  return (name) => (name.startsWith('.') && !segment.startsWith('.') ? false : regex.test(name));
}
