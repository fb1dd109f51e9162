// readPaste(): what an operator pastes from a shell or a write-up, read as the
// table it builds. One reader for the CLI (`lvs-console ipvsadm parse`), the
// API (state.import) and the web's import box, so all three read the same
// text the same way. Shell prompts, `sudo`, trailing notes in any language,
// listing/save/watch commands, syntax templates and prose are skipped, each
// with its line number and why; `$VAR` is filled in from an assignment
// earlier in the paste, or refused; service and port names are read as
// ipvsadm prints them without -n; a pasted `ipvsadm -L -n` listing with no
// commands around it is read as the table it shows. The commands run in
// order on `base` (the live desired state in a merge), as a shell would.
import type { DesiredState, Service, ServiceKey } from '../model/ipvs';
import type { Issue } from '../model/errors';
import { describedText, messageText, nestedParams, type DescribedText, type MessageId, type MessageParams } from '../model/messages';
import { serviceLabel } from '../model/keys';
import { parseListing, type ListedService } from './listing';
import { scanTokens, type CommandName } from './options';
import { portOfName } from './port-names';
import { RuleInterpreter } from './rules';

// The one place an import's format is guessed (the web, the API and the CLI ask it).
export { detectImportFormat, type ImportFormat } from '../keepalived/detect';

/** A line of the paste that did not change the table, and why. */
export interface PasteNote {
  line: number;
  text: string;
  why: string;
  /** `why` by message id, for the console to say in its language. */
  whyId?: MessageId;
  whyParams?: MessageParams;
}

export interface PasteCommand {
  line: number;
  /** The command as it ran, without prompt, program name or note: `-A -t 192.0.2.1:80 -s rr`. */
  rule: string;
}

export interface ReadPasteOptions {
  /** The table the commands run on (a merge's live desired state); default empty. */
  base?: DesiredState;
  /** Schedulers the kernel has (default: all). */
  schedulers?: readonly string[];
}

export interface PasteResult {
  ok: boolean;
  /** What the table came from: commands, a pasted listing, or nothing at all. */
  source: 'commands' | 'listing' | 'nothing';
  /** Lines that changed the table, in order. */
  commands: PasteCommand[];
  /** Every other non-blank line, with its line number and why it was skipped. */
  skipped: PasteNote[];
  /** `line N: ...`; when any, nothing may be applied. */
  errors: Issue[];
  warnings: Issue[];
  /** The table after the paste (base plus the commands, or base with the listed services). */
  state: DesiredState;
  /** The paste has `ipvsadm -C`: it replaces the whole table. */
  clears: boolean;
  /** `-Z` lines (zeroing is not part of the table: it is its own action). */
  zero: Array<{ line: number; service?: ServiceKey }>;
}

// ---- lines -----------------------------------------------------------------

const PROMPTS = [
  /^\[[^\]\n]*\][#$]\s*/, // [root@server1 ~]#
  /^[\w.-]+@[\w.-]+:[^\s#$]*[#$]\s*/, // root@ubuntu1604:~#
  /^[\w.-]+[#$]\s+/, // lvs# ipvsadm ...
  /^[#$%>]\s*/, // # ipvsadm ..., $ ipvsadm ...
];
const SUDO = /^sudo(\s+-\S+)*\s+/;
const PROGRAM = /^(?:\/usr)?(?:\/s?bin\/)?ipvsadm(?=\s|$)/;
const SAVE_PROGRAM = /^(?:\/usr)?(?:\/s?bin\/)?ipvsadm-(save|restore)(?=\s|$)/;
const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))\s*(?:#.*)?$/;
const VARIABLE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;
const NON_ASCII = /[\u0080-\uffff]/;
/** `ipvsadm` written inside a sentence: "查看ipvsadm -L -n", "删除:ipvsadm -D ...". */
const EMBEDDED = /(?:^|[\u0080-\uffff]|[:：、,，(（\s])((?:\/usr)?(?:\/s?bin\/)?ipvsadm\s+-\S.*)$/;

const LISTING_HEADER = /^IP Virtual Server version \d/;
const LISTING_TITLE = /^Prot\s+LocalAddress:Port/;
const LISTING_SUBTITLE = /^->\s*RemoteAddress:Port/;
const LISTING_SERVICE = /^(?:TCP|UDP|SCTP)\s+\S+:\S+(?:\s|$)|^FWM\s+\d+(?:\s|$)/;
const LISTING_DEST = /^->\s*\S+:\S+\s/;

function stripPrompt(line: string): string {
  let text = line;
  for (const prompt of PROMPTS) {
    const match = prompt.exec(text);
    if (match) {
      text = text.slice(match[0].length);
      break;
    }
  }
  return text.replace(SUDO, '');
}

/** Shell words, without quoting around a whole word; `#` after a space starts a comment. */
function shellWords(text: string): string[] {
  const cut = text.search(/(^|\s)#/);
  const words = (cut < 0 ? text : text.slice(0, cut)).trim().split(/\s+/).filter(Boolean);
  return words.map((w) => w.replace(/^(['"])(.*)\1$/, '$2'));
}

/** A syntax summary from a manual or write-up: `-A|E`, `-t|u|f`, `[-w 权重]`, `(Service IP:Port)`, `<vip>`, `VIP:port`. */
function templateWord(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (/\S\|\S|^\|\S|\S\|$/.test(word)) return word;
    if (/[()]/.test(word) || /<\w[^>]*>/.test(word) || word.includes('...')) return word;
    if (/[[\]]/.test(word) && !/^\[[0-9A-Fa-f:.]+\](?::\S+)?$/.test(word)) return word;
    const previous = words[i - 1];
    if (previous !== undefined && /^(-[tur]|--(tcp|udp|sctp)-service|--real-server)$/.test(previous) && isPlaceholderEndpoint(word)) return word;
  }
  return undefined;
}

/** `VIP:80`, `RIP`, `vip:port`, `REALSERVER`: a placeholder, not a host. */
function isPlaceholderEndpoint(word: string): boolean {
  const colon = word.lastIndexOf(':');
  const host = colon > 0 && !word.startsWith('[') && word.indexOf(':') === colon ? word.slice(0, colon) : word;
  const port = host === word ? '' : word.slice(colon + 1);
  if (/^[A-Z][A-Z0-9_]*$/.test(host) && !/^[0-9A-F]+$/.test(host)) return true;
  if (/^(vip|rip|dip|ip|ipaddr|host|address|addr|realserver|real_server|server|service)$/i.test(host)) return true;
  return /^(port|PORT|端口)$/.test(port);
}

/** Commands that print rather than change the table, and why a paste skips them. */
const PRINTING_COMMANDS: Partial<Record<CommandName, MessageId>> = {
  list: 'skipList',
  save: 'skipSave',
  help: 'skipHelp',
  version: 'skipVersion',
};

const SERVICE_OPTIONS = new Set(['-t', '-u', '--tcp-service', '--udp-service', '--sctp-service', '-r', '--real-server']);

/** A line the paste refuses, said by message id (the console translates it). */
class PasteLineError extends Error {
  readonly params: MessageParams;
  constructor(
    readonly messageId: MessageId,
    params: MessageParams,
  ) {
    super(messageText(messageId, params));
    this.params = params;
  }
}

/** `host:name` as ipvsadm prints it without -n -> `host:port`; a host name is refused (nothing here can resolve it). */
function numericEndpoint(word: string): string {
  let host: string;
  let port: string | undefined;
  if (word.startsWith('[')) {
    const end = word.indexOf(']');
    host = word.slice(0, end + 1);
    port = word[end + 1] === ':' ? word.slice(end + 2) : undefined;
  } else {
    const colon = word.lastIndexOf(':');
    const ipv6 = word.indexOf(':') !== colon;
    host = colon < 0 || ipv6 ? word : word.slice(0, colon);
    port = colon < 0 || ipv6 ? undefined : word.slice(colon + 1);
  }
  if (!host.startsWith('[') && !host.includes(':') && !/^\d+(\.\d+){3}$/.test(host)) {
    throw new PasteLineError('importHostName', { host });
  }
  if (port === undefined || /^\d+$/.test(port)) return word;
  const number = portOfName(port);
  if (number === undefined) throw new PasteLineError('importPortName', { port, word });
  return `${host}:${number}`;
}

// ---- the reader --------------------------------------------------------------

interface ListingBlock {
  start: number;
  lines: Array<{ number: number; text: string }>;
}

class PasteReader {
  readonly commands: PasteCommand[] = [];
  readonly skipped: PasteNote[] = [];
  readonly errors: Issue[] = [];
  readonly zero: PasteResult['zero'] = [];
  readonly listings: ListingBlock[] = [];
  clears = false;
  private readonly variables = new Map<string, { value: string; line: number }>();
  private listing: ListingBlock | null = null;

  constructor(private readonly interpreter: RuleInterpreter) {}

  private skip(line: number, text: string, whyId: MessageId, whyParams: MessageParams = {}): void {
    this.skipped.push({ line, text, why: messageText(whyId, whyParams), whyId, whyParams });
  }

  /** An error on a line, with its message id when the reader has one (the console translates it). */
  private error(line: number, text: { message: string; messageId?: MessageId; params?: MessageParams }): void {
    const issue: Issue = { path: `line ${line}`, message: text.message };
    if (text.messageId) {
      issue.messageId = text.messageId;
      issue.params = text.params ?? {};
    }
    this.errors.push(issue);
  }

  read(raw: string, number: number): void {
    const trimmed = raw.trim();
    if (trimmed === '') {
      this.listing = null;
      return;
    }
    if (this.readListingLine(trimmed, number)) return;
    const text = stripPrompt(trimmed);
    const save = SAVE_PROGRAM.exec(text);
    if (save) {
      this.skip(number, trimmed, save[1] === 'save' ? 'skipSaveProgram' : 'skipRestoreProgram');
      return;
    }
    if (PROGRAM.test(text)) {
      this.command(text.replace(PROGRAM, '').trim(), trimmed, number, false);
      return;
    }
    if (/^-[-A-Za-z]/.test(text) && text === trimmed) {
      // Restore format (`-A -t ...`, as `ipvsadm -S` writes it); option lists in prose are skipped.
      this.command(text, trimmed, number, true);
      return;
    }
    const assignment = ASSIGNMENT.exec(text);
    if (assignment) {
      const value = assignment[2] ?? assignment[3] ?? assignment[4] ?? '';
      this.variables.set(assignment[1] as string, { value, line: number });
      this.skip(number, trimmed, 'skipVariable', { name: assignment[1] ?? '', value });
      return;
    }
    this.other(text, trimmed, number);
  }

  /** Lines that mention ipvsadm without running it here, and everything else. */
  private other(text: string, original: string, number: number): void {
    if (/^watch\b.*ipvsadm/.test(text)) {
      this.skip(number, original, 'skipWatch');
      return;
    }
    if (/\bipvsadm\s+(save|restore)\b/.test(text)) {
      this.skip(number, original, 'skipServiceScript');
      return;
    }
    const embedded = EMBEDDED.exec(text);
    if (embedded && !PROGRAM.test(text)) {
      const words = shellWords((embedded[1] as string).replace(PROGRAM, ''));
      const template = templateWord(words);
      if (template !== undefined) {
        this.skip(number, original, 'skipTemplate', { template });
        return;
      }
      const scanned = scanTokens(words.filter((w) => !NON_ASCII.test(w)));
      if (scanned.ok && ['list', 'save', 'help', 'version'].includes(scanned.line.command)) {
        if (scanned.line.command === 'list') this.skip(number, original, 'skipListingInSentence');
        else this.skip(number, original, 'skipCommandInSentence', { command: scanned.line.command });
        return;
      }
      if (scanned.ok) {
        this.skip(number, original, 'skipRuleInSentence');
        return;
      }
    }
    if (original.startsWith('#')) {
      this.skip(number, original, 'skipComment');
      return;
    }
    this.skip(number, original, 'skipNotIpvsadm');
  }

  private command(tail: string, original: string, number: number, bare: boolean): void {
    let words = shellWords(tail);
    if (bare && words.some((w) => NON_ASCII.test(w) || /^-[-\w/]*[:：]/.test(w))) {
      this.skip(number, original, 'skipProse');
      return;
    }
    const template = templateWord(words);
    if (template !== undefined) {
      this.skip(number, original, 'skipTemplate', { template });
      return;
    }
    // A pipe, a redirection or a second command ends what ipvsadm itself sees.
    const operator = words.findIndex((w) => /^(\||\|\||&&|;|&|[0-9]?>>?|<)/.test(w) || /^[0-9]?>/.test(w));
    const redirected = operator >= 0 ? words.slice(operator).join(' ') : '';
    if (operator >= 0) words = words.slice(0, operator);
    // A note in another script starts at its first word.
    const noteAt = words.findIndex((w) => NON_ASCII.test(w));
    let note = noteAt >= 0 ? words.slice(noteAt).join(' ') : '';
    if (noteAt >= 0) words = words.slice(0, noteAt);
    const scanned = scanTokens(words);
    if (!scanned.ok) {
      if (bare) {
        this.skip(number, original, 'skipNotRule');
        return;
      }
      this.error(number, scanned);
      return;
    }
    const { line } = scanned;
    // Words after a complete command: a note in English ("add the first server").
    const extra = line.command === 'set' ? line.positionalAt.slice(3) : line.positionalAt;
    const firstExtra = extra[0];
    if (firstExtra !== undefined && (extra.length >= 2 || note !== '') && /^[A-Za-z]/.test(words[firstExtra] as string)) {
      note = [...words.slice(firstExtra), note].filter(Boolean).join(' ');
      words = words.slice(0, firstExtra);
    }
    const skipWhy = line.command === 'restore' ? (redirected ? 'skipRestoreFrom' : 'skipRestoreStdin') : PRINTING_COMMANDS[line.command];
    if (skipWhy !== undefined) {
      this.skip(number, original, skipWhy, redirected ? { input: redirected } : {});
      return;
    }
    if (redirected && !/^[0-9]?>/.test(redirected)) {
      this.error(number, describedText('importShellSyntax', { text: redirected }));
      return;
    }
    try {
      words = words.map((word) => this.substitute(word));
      words = words.map((word, i) => (i > 0 && SERVICE_OPTIONS.has(words[i - 1] as string) ? numericEndpoint(word) : word));
    } catch (error) {
      if (!(error instanceof PasteLineError)) throw error;
      this.error(number, error);
      return;
    }
    if (line.command === 'zero') {
      const problems = this.interpreter.errors.length;
      this.interpreter.runLine(words.join(' '), number);
      if (this.interpreter.errors.length > problems) return;
      const event = this.interpreter.events.at(-1);
      this.zero.push(event?.service ? { line: number, service: event.service } : { line: number });
      this.skip(number, original, 'skipZero');
      return;
    }
    if (line.command === 'clear') this.clears = true;
    const rule = words.join(' ');
    this.interpreter.runLine(rule, number);
    this.commands.push({ line: number, rule });
    if (note) this.skip(number, note, 'skipNote');
  }

  private substitute(word: string): string {
    return word.replace(VARIABLE, (_, name: string) => {
      const variable = this.variables.get(name);
      if (!variable) {
        throw new PasteLineError('importUnsetVariable', { name });
      }
      return variable.value;
    });
  }

  /** Lines of a pasted `ipvsadm -L` listing, grouped into blocks. */
  private readListingLine(text: string, number: number): boolean {
    const starts = LISTING_HEADER.test(text) || LISTING_TITLE.test(text);
    if (starts && (this.listing === null || LISTING_HEADER.test(text))) {
      this.listing = { start: number, lines: [] };
      this.listings.push(this.listing);
    }
    const block = this.listing;
    if (block === null) return false;
    if (starts || LISTING_SUBTITLE.test(text) || LISTING_SERVICE.test(text) || LISTING_DEST.test(text)) {
      block.lines.push({ number, text });
      return true;
    }
    this.listing = null;
    return false;
  }

  /** The last listing as the table it shows; null (with errors) when it cannot be read. */
  listedServices(block: ListingBlock): ListedService[] | null {
    const out: string[] = [];
    const numbers: number[] = [];
    const push = (text: string, number: number) => {
      out.push(text);
      numbers.push(number);
    };
    let problems = 0;
    for (const { number, text } of block.lines) {
      const words = text.split(/\s+/);
      try {
        if (LISTING_HEADER.test(text)) push(text, number);
        else if (LISTING_TITLE.test(text)) push(words.join(' '), number);
        else if (LISTING_SUBTITLE.test(text)) push(`  ${words.join(' ')}`, number);
        else if (words[0] === '->' || words[0]?.startsWith('->')) {
          const rest = words[0] === '->' ? words.slice(1) : [words[0].slice(2), ...words.slice(1)];
          push(`  -> ${[numericEndpoint(rest[0] ?? ''), ...rest.slice(1)].join(' ')}`, number);
        } else if (words[0] === 'FWM') push(words.join(' '), number);
        else push([words[0], numericEndpoint(words[1] ?? ''), ...words.slice(2)].join(' '), number);
      } catch (error) {
        if (!(error instanceof PasteLineError)) throw error;
        this.error(number, error);
        problems++;
      }
      // A title without its "-> RemoteAddress" line (trimmed by a blog): supply it.
      if (LISTING_TITLE.test(text) && !block.lines.some((l) => LISTING_SUBTITLE.test(l.text))) push('  -> RemoteAddress:Port', number);
    }
    if (problems) return null;
    const parsed = parseListing(out.join('\n'));
    if (!parsed.ok) {
      for (const issue of parsed.errors) {
        const index = Number(issue.path.replace('line ', '')) - 1;
        this.error(numbers[index] ?? block.start, describedText('importListingIssue', nestedParams('issue', issue)));
      }
      return null;
    }
    return parsed.value.services;
  }
}

/** A listed service as desired config; what a --stats or --rate listing does not show comes from base or ipvsadm's defaults. */
function serviceOfListing(listed: ListedService, base: Service | undefined): Service {
  return {
    key: listed.key,
    scheduler: (listed.scheduler ?? base?.scheduler ?? 'wlc') as Service['scheduler'],
    flags: listed.flags ?? base?.flags ?? [],
    persistence: listed.persistence !== undefined ? listed.persistence : (base?.persistence ?? null),
    onePacket: listed.onePacket ?? base?.onePacket ?? false,
    destinations: listed.destinations.map((d) => {
      const known = base?.destinations.find((b) => b.address === d.address && b.port === d.port);
      const dest = {
        address: d.address,
        port: d.port,
        forwarding: d.forwarding ?? known?.forwarding ?? 'route',
        weight: d.weight ?? known?.weight ?? 1,
        upperThreshold: d.upperThreshold ?? known?.upperThreshold ?? 0,
        lowerThreshold: d.lowerThreshold ?? known?.lowerThreshold ?? 0,
      };
      return known?.tunnel && dest.forwarding === 'tunnel' ? { ...dest, tunnel: known.tunnel } : dest;
    }),
    ...(base?.health ? { health: base.health } : {}),
  };
}

function keyId(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `f ${key.fwmark} ${key.family}` : `${key.protocol} ${key.address} ${key.port}`;
}

/** Read pasted shell text (see the top of this file). */
export function readPaste(text: string, options: ReadPasteOptions = {}): PasteResult {
  const interpreter = new RuleInterpreter('operator', options.schedulers, true);
  if (options.base) interpreter.load(options.base);
  const reader = new PasteReader(interpreter);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) reader.read(lines[i] as string, i + 1);

  const warnings = [...interpreter.warnings];
  const skipped = reader.skipped;
  let state = interpreter.state();
  let source: PasteResult['source'] = reader.commands.length ? 'commands' : 'nothing';
  // A header alone (the title lines cut off) shows no table.
  const lastListing = reader.listings.filter((b) => b.lines.some((l) => LISTING_TITLE.test(l.text))).at(-1);
  if (reader.commands.length === 0 && lastListing && reader.errors.length === 0 && interpreter.errors.length === 0) {
    const listed = reader.listedServices(lastListing);
    if (listed) {
      source = 'listing';
      const base = options.base?.services ?? [];
      const byId = new Map(base.map((s) => [keyId(s.key), s]));
      const listedIds = new Set<string>();
      const services = listed.map((l) => {
        listedIds.add(keyId(l.key));
        const known = byId.get(keyId(l.key));
        if (l.scheduler === undefined && !known) {
          warnings.push({ path: `line ${lastListing.start}`, ...describedText('ipvsListingDefaults', { service: serviceLabel(l.key) }) });
        }
        return serviceOfListing(l, known);
      });
      state = { ...state, services: [...base.filter((s) => !listedIds.has(keyId(s.key))), ...services] };
    }
  }
  const errors = [...reader.errors, ...interpreter.errors].sort((a, b) => lineOf(a) - lineOf(b));
  for (const block of reader.listings) {
    if (source === 'listing' && block === lastListing) continue;
    for (const { number, text: line } of block.lines) {
      const whyId = source === 'listing' ? 'skipEarlierListing' : 'skipListingOutput';
      skipped.push({ line: number, text: line, why: messageText(whyId), whyId, whyParams: {} });
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  return {
    ok: errors.length === 0,
    source,
    commands: reader.commands,
    skipped,
    errors,
    warnings,
    state,
    clears: reader.clears,
    zero: reader.zero,
  };
}

/** Why a paste without rule lines is refused (the CLI, the API and the web say it alike). */
export function nothingToImport(result: Pick<PasteResult, 'skipped'>): string {
  return nothingToImportSaid(result).message;
}

/** The same, by message id (the console says it in its language). */
export function nothingToImportSaid(result: Pick<PasteResult, 'skipped'>): DescribedText {
  const skipped = result.skipped.length;
  return skipped === 1 ? describedText('importNothingOne') : describedText('importNothing', { skipped });
}

function lineOf(issue: Issue): number {
  return Number(/\d+/.exec(issue.path)?.[0] ?? 0);
}
