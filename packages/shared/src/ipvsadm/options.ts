// The command line ipvsadm accepts, as data: every command and option with its
// short and long spelling and whether it takes a value, and a popt-like
// scanner that turns one line's tokens into a command plus options.
// Source of truth: the poptOption table in ipvsadm.c parse_options() and the
// commands_v_options matrix checked by generic_opt_check() (ipvsadm 1.31).
import { describedText, nestedParams, type DescribedText, type MessageId, type MessageParams } from '../model/messages';

export const COMMANDS = [
  'add-service',
  'edit-service',
  'delete-service',
  'clear',
  'list',
  'zero',
  'add-server',
  'edit-server',
  'delete-server',
  'set',
  'help',
  'version',
  'restore',
  'save',
  'start-daemon',
  'stop-daemon',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export const OPTIONS = [
  'service',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding',
  'weight',
  'u-threshold',
  'l-threshold',
  'numeric',
  'connection',
  'mcast-interface',
  'syncid',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'sort',
  'exact',
  'ipv6',
  'ops',
  'pe',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
  'tun-info',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
] as const;
/**
 * An option "slot": ipvsadm counts -t/-u/--sctp-service/-f as one option
 * (service-address) and -g/-i/-m as one (forwarding-method), so giving two of
 * a slot is "multiple options specified" (set_option()).
 */
export type OptionName = (typeof OPTIONS)[number];

type ArgKind = 'none' | 'required' | 'optional';

interface Spelling {
  long: string;
  short?: string;
  arg: ArgKind;
  /** A command (first option of a line) or an option. */
  command?: CommandName;
  option?: OptionName;
  /** For the service and forwarding slots: which member was spelled. */
  variant?: string;
}

const SPELLINGS: readonly Spelling[] = [
  { long: 'add-service', short: 'A', arg: 'none', command: 'add-service' },
  { long: 'edit-service', short: 'E', arg: 'none', command: 'edit-service' },
  { long: 'delete-service', short: 'D', arg: 'none', command: 'delete-service' },
  { long: 'clear', short: 'C', arg: 'none', command: 'clear' },
  { long: 'list', short: 'L', arg: 'none', command: 'list' },
  { long: 'list', short: 'l', arg: 'none', command: 'list' },
  { long: 'zero', short: 'Z', arg: 'none', command: 'zero' },
  { long: 'add-server', short: 'a', arg: 'none', command: 'add-server' },
  { long: 'edit-server', short: 'e', arg: 'none', command: 'edit-server' },
  { long: 'delete-server', short: 'd', arg: 'none', command: 'delete-server' },
  { long: 'set', arg: 'none', command: 'set' },
  { long: 'help', short: 'h', arg: 'none', command: 'help' },
  { long: 'version', short: 'v', arg: 'none', command: 'version' },
  { long: 'restore', short: 'R', arg: 'none', command: 'restore' },
  { long: 'save', short: 'S', arg: 'none', command: 'save' },
  { long: 'start-daemon', arg: 'required', command: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', command: 'stop-daemon' },
  { long: 'tcp-service', short: 't', arg: 'required', option: 'service', variant: 'tcp' },
  { long: 'udp-service', short: 'u', arg: 'required', option: 'service', variant: 'udp' },
  { long: 'sctp-service', arg: 'required', option: 'service', variant: 'sctp' },
  { long: 'fwmark-service', short: 'f', arg: 'required', option: 'service', variant: 'fwmark' },
  { long: 'scheduler', short: 's', arg: 'required', option: 'scheduler' },
  // POPT_ARGFLAG_OPTIONAL: `-p` alone means the default timeout (300 s).
  { long: 'persistent', short: 'p', arg: 'optional', option: 'persistent' },
  { long: 'netmask', short: 'M', arg: 'required', option: 'netmask' },
  { long: 'real-server', short: 'r', arg: 'required', option: 'real-server' },
  { long: 'masquerading', short: 'm', arg: 'none', option: 'forwarding', variant: 'masq' },
  { long: 'ipip', short: 'i', arg: 'none', option: 'forwarding', variant: 'tunnel' },
  { long: 'gatewaying', short: 'g', arg: 'none', option: 'forwarding', variant: 'route' },
  { long: 'weight', short: 'w', arg: 'required', option: 'weight' },
  { long: 'u-threshold', short: 'x', arg: 'required', option: 'u-threshold' },
  { long: 'l-threshold', short: 'y', arg: 'required', option: 'l-threshold' },
  { long: 'numeric', short: 'n', arg: 'none', option: 'numeric' },
  { long: 'connection', short: 'c', arg: 'none', option: 'connection' },
  { long: 'mcast-interface', arg: 'required', option: 'mcast-interface' },
  { long: 'syncid', arg: 'required', option: 'syncid' },
  { long: 'timeout', arg: 'none', option: 'timeout' },
  { long: 'daemon', arg: 'none', option: 'daemon' },
  { long: 'stats', arg: 'none', option: 'stats' },
  { long: 'rate', arg: 'none', option: 'rate' },
  { long: 'thresholds', arg: 'none', option: 'thresholds' },
  { long: 'persistent-conn', arg: 'none', option: 'persistent-conn' },
  { long: 'nosort', arg: 'none', option: 'nosort' },
  { long: 'sort', arg: 'none', option: 'sort' },
  { long: 'exact', short: 'X', arg: 'none', option: 'exact' },
  { long: 'ipv6', short: '6', arg: 'none', option: 'ipv6' },
  { long: 'ops', short: 'o', arg: 'none', option: 'ops' },
  { long: 'pe', arg: 'required', option: 'pe' },
  { long: 'sched-flags', short: 'b', arg: 'required', option: 'sched-flags' },
  { long: 'mcast-group', arg: 'required', option: 'mcast-group' },
  { long: 'mcast-port', arg: 'required', option: 'mcast-port' },
  { long: 'mcast-ttl', arg: 'required', option: 'mcast-ttl' },
  { long: 'sync-maxlen', arg: 'required', option: 'sync-maxlen' },
  { long: 'tun-info', arg: 'none', option: 'tun-info' },
  { long: 'tun-type', arg: 'required', option: 'tun-type' },
  { long: 'tun-port', arg: 'required', option: 'tun-port' },
  { long: 'tun-nocsum', arg: 'none', option: 'tun-nocsum' },
  { long: 'tun-csum', arg: 'none', option: 'tun-csum' },
  { long: 'tun-remcsum', arg: 'none', option: 'tun-remcsum' },
];

const BY_LONG = new Map<string, Spelling>();
const BY_SHORT = new Map<string, Spelling>();
for (const spelling of SPELLINGS) {
  if (!BY_LONG.has(spelling.long)) BY_LONG.set(spelling.long, spelling);
  if (spelling.short) BY_SHORT.set(spelling.short, spelling);
}

const OPTION_INDEX = new Map<OptionName, number>(OPTIONS.map((name, i) => [name, i]));
export function optionIndex(name: OptionName): number {
  return OPTION_INDEX.get(name) ?? -1;
}

/** How an option was written, for messages that quote the operator. */
export interface GivenOption {
  spelled: string;
  value: string | undefined;
  variant: string | undefined;
}

export interface ScannedLine {
  command: CommandName;
  commandSpelled: string;
  commandValue: string | undefined;
  /** Indexed by optionIndex(); undefined when not given. */
  options: (GivenOption | undefined)[];
  positionals: string[];
  /** Where each positional stood in the tokens (a pasted note starts at the first). */
  positionalAt: number[];
}

export type ScanResult = { ok: true; line: ScannedLine } | { ok: false; message: string; messageId?: MessageId; params?: MessageParams };

/** A refused line said by message id (the console translates it). */
function refuse(id: MessageId, params: MessageParams = {}): ScanResult {
  return { ok: false, ...describedText(id, params) };
}

/**
 * Scan tokens the way popt does for ipvsadm: short options may be combined
 * (`-Ln`, `-lcn`); a short option's value may be attached (`-w3`) or be the
 * next token; long options take `--name value` or `--name=value`. An
 * optional value (-p) is taken from the next token only when it does not
 * start with '-'. The first option must be a command (parse_options()).
 */
export function scanTokens(tokens: readonly string[]): ScanResult {
  let command: CommandName | undefined;
  let commandSpelled = '';
  let commandValue: string | undefined;
  const options: (GivenOption | undefined)[] = new Array<GivenOption | undefined>(OPTIONS.length);
  const positionals: string[] = [];
  const positionalAt: number[] = [];

  const accept = (spelling: Spelling, spelled: string, value: string | undefined): DescribedText | null => {
    if (spelling.command) {
      if (command !== undefined) return describedText('ipvsTwoCommands', { first: commandSpelled, second: spelled });
      command = spelling.command;
      commandSpelled = spelled;
      commandValue = value;
      return null;
    }
    if (command === undefined) {
      return describedText('ipvsOptionBeforeCommand', { option: spelled });
    }
    const option = spelling.option as OptionName;
    const index = OPTION_INDEX.get(option) ?? 0;
    const previous = options[index];
    if (previous) {
      return previous.spelled === spelled
        ? describedText('ipvsGivenTwice', { option: spelled })
        : describedText('ipvsConflictsBefore', { option: spelled, other: previous.spelled });
    }
    options[index] = { spelled, value, variant: spelling.variant };
    return null;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token.length > 2 && token.charCodeAt(0) === 45 && token.charCodeAt(1) === 45) {
      // --long or --long=value
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      const spelling = BY_LONG.get(name);
      if (!spelling) return refuse('importUnknownLongOption', { name });
      const spelled = `--${name}`;
      let value: string | undefined;
      if (eq >= 0) {
        if (spelling.arg === 'none') return refuse('importTakesNoValue', { option: spelled });
        value = token.slice(eq + 1);
      } else if (spelling.arg === 'required') {
        if (i + 1 >= tokens.length) return refuse('importNeedsValue', { option: spelled });
        value = tokens[++i];
      } else if (spelling.arg === 'optional') {
        const next = tokens[i + 1];
        if (next !== undefined && next.charCodeAt(0) !== 45) {
          value = next;
          i++;
        }
      }
      const problem = accept(spelling, spelled, value);
      if (problem) return { ok: false, ...problem };
      continue;
    }
    if (token.length > 1 && token.charCodeAt(0) === 45 && token !== '--') {
      // -abc: a cluster of short options; a value-taking one ends the cluster.
      for (let k = 1; k < token.length; k++) {
        const letter = token[k] as string;
        const spelling = BY_SHORT.get(letter);
        if (!spelling) return token.length > 2 ? refuse('importUnknownOptionIn', { letter, token }) : refuse('importUnknownOption', { letter });
        const spelled = `-${letter}`;
        let value: string | undefined;
        if (spelling.arg !== 'none') {
          if (k + 1 < token.length) {
            value = token.slice(k + 1);
          } else if (spelling.arg === 'required') {
            if (i + 1 >= tokens.length) return refuse('importNeedsValue', { option: spelled });
            value = tokens[++i];
          } else {
            const next = tokens[i + 1];
            if (next !== undefined && next.charCodeAt(0) !== 45) {
              value = next;
              i++;
            }
          }
          const problem = accept(spelling, spelled, value);
          if (problem) return { ok: false, ...problem };
          break;
        }
        const problem = accept(spelling, spelled, undefined);
        if (problem) return { ok: false, ...problem };
      }
      continue;
    }
    if (command === undefined) {
      return refuse('importNotCommand', { token });
    }
    positionals.push(token);
    positionalAt.push(i);
  }
  if (command === undefined) return refuse('importNoCommand');
  return { ok: true, line: { command, commandSpelled, commandValue, options, positionals, positionalAt } };
}

// --- which options each command takes (generic_opt_check / commands_v_options) ---

interface CommandRules {
  required: readonly OptionName[];
  allowed: readonly OptionName[];
  /** At most one of these ('1' in ipvsadm's matrix). */
  exclusive: readonly OptionName[];
}

const SERVICE_SETTINGS: readonly OptionName[] = ['service', 'scheduler', 'persistent', 'netmask', 'ops', 'pe', 'sched-flags'];
const SERVER_SETTINGS: readonly OptionName[] = [
  'service',
  'real-server',
  'forwarding',
  'weight',
  'u-threshold',
  'l-threshold',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
];
// -6 and --sort are not counted by ipvsadm's option check: they may appear anywhere.
const ALWAYS: readonly OptionName[] = ['ipv6', 'sort'];

const RULES: Record<CommandName, CommandRules> = {
  'add-service': { required: ['service'], allowed: SERVICE_SETTINGS, exclusive: [] },
  'edit-service': { required: ['service'], allowed: SERVICE_SETTINGS, exclusive: [] },
  'delete-service': { required: ['service'], allowed: ['service'], exclusive: [] },
  clear: { required: [], allowed: [], exclusive: [] },
  list: {
    required: [],
    allowed: [
      'numeric',
      'connection',
      'service',
      'timeout',
      'daemon',
      'stats',
      'rate',
      'thresholds',
      'persistent-conn',
      'nosort',
      'syncid',
      'exact',
      'tun-info',
    ],
    exclusive: ['connection', 'service', 'timeout', 'daemon'],
  },
  zero: { required: [], allowed: ['service'], exclusive: [] },
  'add-server': { required: ['service', 'real-server'], allowed: SERVER_SETTINGS, exclusive: [] },
  'edit-server': { required: ['service', 'real-server'], allowed: SERVER_SETTINGS, exclusive: [] },
  'delete-server': { required: ['service', 'real-server'], allowed: ['service', 'real-server'], exclusive: [] },
  set: { required: [], allowed: [], exclusive: [] },
  help: { required: [], allowed: OPTIONS, exclusive: [] },
  version: { required: [], allowed: OPTIONS, exclusive: [] },
  restore: { required: [], allowed: [], exclusive: [] },
  save: { required: [], allowed: ['numeric'], exclusive: [] },
  'start-daemon': {
    required: [],
    allowed: ['mcast-interface', 'syncid', 'mcast-group', 'mcast-port', 'mcast-ttl', 'sync-maxlen'],
    exclusive: [],
  },
  'stop-daemon': { required: [], allowed: ['syncid'], exclusive: [] },
};

const ALLOWED_SETS = new Map<CommandName, Set<OptionName>>(COMMANDS.map((command) => [command, new Set<OptionName>([...RULES[command].allowed, ...ALWAYS])]));

const NEEDED_WORDING: Partial<Record<OptionName, MessageId>> = {
  service: 'ipvsNeedService',
  'real-server': 'ipvsNeedRealServer',
};

/** Check the options against the command, as generic_opt_check() does. Returns a message or null. */
export function checkCommandOptions(line: ScannedLine): DescribedText | null {
  const rules = RULES[line.command];
  const allowed = ALLOWED_SETS.get(line.command) as Set<OptionName>;
  for (let i = 0; i < OPTIONS.length; i++) {
    const given = line.options[i];
    if (given && !allowed.has(OPTIONS[i] as OptionName)) {
      return describedText('ipvsNotWithCommand', { option: given.spelled, command: line.commandSpelled, name: line.command });
    }
  }
  for (const name of rules.required) {
    if (!line.options[optionIndex(name)]) {
      const wording = NEEDED_WORDING[name];
      const needed = wording ? describedText(wording) : { message: name };
      return describedText('ipvsCommandNeeds', nestedParams('what', needed, { command: line.commandSpelled, name: line.command }));
    }
  }
  let first: GivenOption | undefined;
  for (const name of rules.exclusive) {
    const given = line.options[optionIndex(name)];
    if (!given) continue;
    if (first) return describedText('ipvsConflictsIn', { option: given.spelled, other: first.spelled, command: line.commandSpelled, name: line.command });
    first = given;
  }
  return null;
}
