// The agent's errors and the shared rules' issues in the console's language:
// each carries a stable message id and parameters (MESSAGE_TEXTS in the shared
// package); a known id is translated, anything else keeps the English text.
import { isMessageId, type Issue, type MessageId, type MessageParams } from '@lvs-console/shared';
import { msg, t } from './i18n';

/** The catalog keys of the shared messages (their English text, checked equal by a unit test). */
export const MESSAGE_KEYS: Record<MessageId, string> = {
  portNumber: msg('port must be a number'),
  portWhole: msg('port must be a whole number'),
  portRange: msg('port must be between 0 and 65535'),
  weightNumber: msg('weight must be a number'),
  weightWhole: msg('weight must be a whole number between 0 and 65535'),
  weightRange: msg('weight must be between 0 and 65535'),
  persistenceWhole: msg('persistence timeout must be a whole number of seconds'),
  persistenceMin: msg('persistence timeout must be at least 1 second'),
  addressHostname: msg('"{{value}}" is a hostname; give a numeric IPv4 or IPv6 address'),
  addressInvalid: msg('"{{value}}" is not a valid IPv4 or IPv6 address'),
  portZeroNeedsPersistence: msg('port 0 (all ports) is only allowed on a persistent service; set persistence (-p) or give a port'),
  directPortFixed: msg(
    '{{method}} cannot change the port: real server port must be {{servicePort}} (the service port), not {{port}}; use NAT (masq) to map ports',
  ),
  directFwmarkPortZero: msg("{{method}} keeps the client's port: a real server of a fwmark service has port 0, not {{port}}; use NAT (masq) to map ports"),
  natNeedsPort: msg('a NAT real server needs a port (1-65535)'),
  destinationTwice: msg('real server {{id}} is already in {{service}} (destinations[{{first}}])'),
  revisionConflict: msg('the desired state changed since revision {{base}} (it is now revision {{current}}); reload and try again'),
  serviceExists: msg('service {{service}} already exists'),
  serviceMissing: msg('service {{service}} does not exist'),
  destinationExists: msg('real server {{id}} is already a destination of {{service}}'),
  needsAdmin: msg('{{name}} ({{role}}) may not make this change: it needs an admin'),
  needsOperator: msg('{{name}} ({{role}}) may not make this change: it needs an operator or an admin'),
  tooManyLogins: msg('too many login attempts from this address; try again in {{seconds}} s'),
  // Host settings and VIPs (web8).
  hostSysctlRow: msg('sysctl {{name}} = {{value}}'),
  hostAddressRow: msg('address {{address}} on {{interface}}'),
  hostModuleRow: msg('kernel module {{name}}'),
  hostSnatRow: msg('source NAT of {{service}} to {{source}}'),
  hostSysctlAbsent: msg('{{name}} does not exist on this host'),
  hostSysctlIs: msg('{{name}} = {{actual}}'),
  hostSysctlWrong: msg('{{name}} is {{actual}}, should be {{value}}'),
  hostNoInterface: msg('{{interface}}: no such interface'),
  hostAddressOn: msg('{{address}} is on {{interface}}'),
  hostAddressNotOn: msg('{{address}} is not on {{interface}}'),
  hostModuleLoaded: msg('{{name}} is loaded'),
  hostModuleNotLoaded: msg('kernel module {{name}} is not loaded'),
  hostSnatSet: msg('{{setting}} is set'),
  hostSnatAbsent: msg('no {{setting}}'),
  hostSnatInTable: msg('{{setting}} is in table {{table}}'),
  hostSnatNotInTable: msg('no {{setting}} in table {{table}}'),
  hostSet: msg('set: {{setting}}'),
  hostAlreadySet: msg('already set: {{status}}'),
  hostSysctlNotInKernel: msg('{{name}} does not exist on this kernel (missing interface or module?)'),
  hostAddressRemoved: msg('removed {{address}} from {{interface}}'),
  hostLeftAsIs: msg('left as it is: other software may rely on {{setting}}'),
  hostSnatTableDeleted: msg("deleted the agent's SNAT table"),
  hostTableDeleted: msg('deleted table {{table}}'),
  vipHeld: msg('{{holder}} holds the VIP {{address}} (VRRP {{instance}} MASTER)'),
  vipNoHolder: msg("no director holds the VIP {{address}}: no live VRRP MASTER, so clients' packets reach no director"),
  vipNoHolderIn: msg("no director holds the VIP {{address}}: no live VRRP MASTER in {{instance}}, so clients' packets reach no director"),
  vipOnInterface: msg('the VIP {{address}} is on {{interface}}'),
  vipNotOnInterface: msg(
    "the VIP {{address}} is not on {{interface}} of this director: clients' packets for it never reach IPVS (apply the host settings to add it)",
  ),
  // What one health-check probe found (web10).
  probeTimedOut: msg('timed out'),
  probeTimedOutAfter: msg('timed out after {{ms}} ms'),
  probeKilled: msg('{{reason}} (killed)'),
  probeConnectionRefused: msg('connection refused'),
  probeConnectionReset: msg('connection reset by peer'),
  probeHostUnreachable: msg('host unreachable'),
  probeNetworkUnreachable: msg('network unreachable'),
  probeConnectionTimedOut: msg('connection timed out'),
  probeAddressNotAvailable: msg('address not available'),
  probeClosedWhileSending: msg('connection closed while sending'),
  probeConnected: msg('connected'),
  probeExitUp: msg('exit 0: up at the configured weight{{output}}'),
  probeExitDown: msg('exit 1: down{{output}}'),
  probeExitWeight: msg('exit {{code}}: up with weight {{weight}}{{output}}'),
  probeExit: msg('exit {{code}}{{output}}'),
  probeExitExpected: msg('exit {{code}} (expected {{expected}}){{output}}'),
  probeProgramNotFound: msg('{{program}} not found'),
  probeProgramNotExecutable: msg('{{program}} is not executable'),
  probeKilledBy: msg('killed by {{signal}}'),
  probeHttpUnexpected: msg('{{status}} (expected {{expected}})'),
  probeHttpBodyMatches: msg('{{status}}, body matches'),
  probeHttpBodyNoMatch: msg('{{status}}, but the body does not match "{{text}}"'),
  probeHttpBodyNoContain: msg('{{status}}, but the body does not contain "{{text}}"'),
  probeHttpBodyFailed: msg('{{status}}, body failed: {{reason}}'),
  probeNoReply: msg('no reply: {{reason}}'),
  probeSilentPort: msg('no reply and no port-unreachable'),
  probeReplyMismatch: msg('reply of {{bytes}} bytes does not contain the expected bytes'),
  probeReplyMatches: msg('reply of {{bytes}} bytes matches'),
  probeReply: msg('reply of {{bytes}} bytes'),
  probeNoDnsReply: msg('no DNS reply: {{reason}}'),
  probeDnsMalformed: msg('malformed DNS reply: {{error}}'),
  probeDnsWrongId: msg('the reply does not answer our query (wrong id)'),
  probeDnsRcode: msg('DNS {{rcode}} for {{name}}'),
  probeDnsNoRecord: msg('no {{type}} record for {{name}}'),
  probeDnsWrongAddress: msg('{{name}} resolved to {{addresses}}, not to {{expected}}'),
  probeUnexpected: msg('check failed unexpectedly: {{error}}'),
  probeSimFailing: msg('simulated: marked failing in the sim backend'),
  probeSimHealthy: msg('simulated: healthy'),
  // Why a real server gets no (or little) traffic, and a drain's progress (web10).
  whyTemplatesPin: msg(
    '{{count}} persistence templates still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1',
  ),
  whyPersistence: msg(
    'persistence ({{timeout}} s) pins returning clients to the server they used before; a new or recovered server gets only new clients until templates expire',
  ),
  whyCheckFailing: msg('health check failing for {{duration}}'),
  whyCheckFailingBecause: msg('health check failing for {{duration}}: {{failure}}'),
  whyDrained: msg('drained by the operator: {{drain}}'),
  whyDrainedBy: msg('drained by the operator ({{by}}): {{drain}}'),
  whyRemovedOnFailure: msg('removed from the kernel while failing (onFailure: remove); it is added back when it recovers'),
  whyAlpha: msg('alpha mode: kept out until its first successful health check'),
  whySorryReplaced: msg('quorum lost (healthy weight {{healthy}} < {{quorum}}): sorry server {{sorry}} has replaced the real servers'),
  whySorryBeside: msg('quorum lost (healthy weight {{healthy}} < {{quorum}}): the sorry server serves beside the real servers'),
  whyQuorumNoSorry: msg('quorum lost (healthy weight {{healthy}} < {{quorum}}); no sorry server is configured'),
  whySorryServes: msg('quorum lost (healthy weight {{healthy}} < {{quorum}}): the sorry server takes the traffic until quorum returns'),
  whyConfiguredZero: msg('configured weight is 0 (quiescent): no new connections'),
  whyDynamicWeight: msg('the check command set the weight to {{weight}} (configured {{configured}})'),
  whySlowStart: msg('slow start: weight {{weight}} of {{base}}, full in {{left}}'),
  whyOverloaded: msg('overloaded: {{connections}} connections reached the upper threshold {{upper}}; new ones resume below {{lower}}'),
  whyRrIgnoresWeight: msg('rr ignores weights: every server with weight > 0 gets an equal turn (use wrr for weighted shares)'),
  whyLcIgnoresWeight: msg('lc ignores weights: it picks the fewest connections among servers with weight > 0 (use wlc for weighted shares)'),
  whyDhOneBucket: msg('dh gives every server one hash bucket in turn whatever its weight; weight only switches it on or off'),
  whyDhNoFallback: msg('dh has no fallback: clients whose destination address hashes to this server get no server at all while it is at weight 0'),
  whyHashNoFallback: msg(
    '{{scheduler}} without {{flag}}: clients that hash to this server get no server at all while it is at weight 0 (set {{flag}} to send them elsewhere)',
  ),
  whyFoPriority: msg('fo sends every new connection to the available server with the highest weight ({{server}} has {{weight}})'),
  whyOvfLimit: msg(
    'ovf uses weight as a connection limit: this server takes new connections while it has fewer than {{weight}} active ones, highest weight first',
  ),
  drainWaiting: msg('draining: waiting for the first observation'),
  drainDone: msg('drained: no connections left; safe to remove'),
  drainDoneTemplates: msg('drained: no connections left ({{count}} persistence templates still point here and expire on their own); safe to remove'),
  drainProgress: msg('draining: {{initial}} → {{count}} connections{{rate}}'),
  drainProgressEta: msg('draining: {{initial}} → {{count}} connections{{rate}}, about {{left}} left'),
  // Import errors: keepalived.conf and an ipvsadm paste (web10).
  importTooLarge: msg('the configuration is larger than {{max}} characters in all'),
  importBraceWithoutKeyword: msg("'{' without a keyword before it"),
  importBraceUnopened: msg("unbalanced braces: '}' without a block to close"),
  importBraceUnclosed: msg("unbalanced braces: the '{' here is never closed"),
  importMissingQuote: msg('missing closing {{quote}}'),
  importIncludeUnreadable: msg('include "{{pattern}}": included files cannot be read here; import the files it names as one text'),
  importIncludeDepth: msg('include "{{pattern}}": includes nest deeper than {{max}} levels'),
  importIncludeError: msg('include "{{pattern}}": {{error}}'),
  importIncludeTooMany: msg('include "{{pattern}}": more than {{max}} included files in all'),
  importUnknownTopBlock: msg('unknown block "{{keyword}}" at the top level'),
  importUnknownTopKeyword: msg('unknown keyword "{{keyword}}" at the top level'),
  importUnknownBlockIn: msg('unknown block "{{keyword}}" in {{where}}'),
  importGroupNoName: msg('virtual_server_group needs a name'),
  importGroupNoBlock: msg('virtual_server_group {{name}} has no { } block'),
  importGroupFwmark: msg('virtual_server_group {{name}}: fwmark "{{value}}" must be 1..4294967295'),
  importGroupRange: msg('virtual_server_group {{name}}: {{error}}'),
  importGroupPort: msg('virtual_server_group {{name}}: port "{{value}}" must be 0..65535'),
  importGroupTooMany: msg('virtual_server_group {{name}}: the groups list more than {{max}} addresses in all; the console imports at most {{max}} services'),
  importVsNoAddress: msg('virtual_server needs an address (IP [PORT], fwmark N or group NAME)'),
  importVsGroupNoName: msg('virtual_server group needs a group name'),
  importVsFwmark: msg('virtual_server fwmark "{{value}}" must be 1..4294967295'),
  importVsNotIp: msg('virtual_server: "{{value}}" is not an IP address'),
  importVsPort: msg('virtual_server {{address}}: port "{{value}}" must be 0..65535'),
  importVsNoBlock: msg('virtual_server has no { } block'),
  importRsNoIp: msg('real_server needs an IP address'),
  importRsNotIp: msg('real_server needs an IP address ("{{value}}" is not one)'),
  importRsPort: msg('real_server {{address}}: port "{{value}}" must be 0..65535'),
  importNoSuchGroup: msg('virtual_server group {{name}}: no virtual_server_group of that name'),
  importTooManyServices: msg('more than {{max}} virtual services in all; the console imports at most {{max}}'),
  importServiceIssue: msg('{{label}}: {{issue}} ({{path}})'),
  importIssue: msg('{{issue}} ({{path}})'),
  importUnknownLongOption: msg('unknown option --{{name}}'),
  importUnknownOption: msg('unknown option -{{letter}}'),
  importUnknownOptionIn: msg('unknown option -{{letter}} in {{token}}'),
  importTakesNoValue: msg('{{option}} takes no value'),
  importNeedsValue: msg('{{option}} needs a value'),
  importNotCommand: msg(
    'the line must start with a command (-A, -E, -D, -C, -a, -e, -d, -L, -Z, -S, -R, --set, --start-daemon, --stop-daemon), not "{{token}}"',
  ),
  importNoCommand: msg('no command given'),
  importShellSyntax: msg('"{{text}}" is shell syntax around the command; paste the ipvsadm command alone'),
  importHostName: msg(
    '"{{host}}" is a host name; ipvsadm prints names when -n is not given, and this paste cannot look them up: paste `ipvsadm -S -n` or `ipvsadm -L -n` output, or write the address',
  ),
  importPortName: msg('"{{port}}" in {{word}} is neither a port number nor a service name ipvsadm prints (http, https, domain, ...): write the port number'),
  importUnsetVariable: msg(
    '${{name}} is a shell variable this paste never sets; write its value (an address such as 192.0.2.10) in its place, or include the line that sets it ({{name}}=...)',
  ),
  importListingIssue: msg('{{issue}} (in the pasted listing)'),
  // The share prediction's notes (web10).
  predictWeightsOnOff: msg('{{scheduler}} uses weights only to switch a server on (> 0) or off (0); the value has no effect'),
  predictNoClients: msg('no client population given: shares are the fraction of lookup-table slots, exact for uniformly spread clients'),
  predictShSlots: msg('sh gives each server `weight` consecutive slots per round of its 256-slot table, so weights shape the split'),
  predictMhTurns: msg('mh gives each server weight/gcd turns per round when filling its 4093-slot table'),
  predictPortZero: msg('{{flag}} is set but some clients have no port: port 0 was hashed for them'),
  predictDhVip: msg('dh hashes the packet destination (the VIP): every connection to one VIP goes to one server'),
  predictDhSlots: msg('dh gives every server one table slot in turn; weights do not tile the table'),
  predictSimulatedActive: msg('simulated {{total}} new connections from the current counters, each staying open (active)'),
  predictSimulatedInactive: msg('simulated {{total}} new connections from the current counters, each counted inactive'),
  predictSimulatedGone: msg('simulated {{total}} new connections from the current counters, each gone before the next'),
  predictLocality: msg(
    '{{scheduler}} keys on the destination address: with one VIP all connections share one entry and stay on one server until it has more active connections than its weight',
  ),
  predictTwosRandom: msg("twos draws random numbers: the kernel's cannot be reproduced, a seeded PRNG stands in"),
  // Why a paste skipped a line (web10).
  skipList: msg('a listing command; its output shows the table, the commands make it'),
  skipSave: msg('ipvsadm -S prints the table; paste its output to import it'),
  skipHelp: msg('ipvsadm --help prints text; nothing to import'),
  skipVersion: msg('ipvsadm --version prints text; nothing to import'),
  skipSaveProgram: msg('ipvsadm-save prints the table; paste its output to import it'),
  skipRestoreProgram: msg("ipvsadm-restore reads a file this paste does not hold; paste the file's lines instead"),
  skipVariable: msg('sets the shell variable {{name}}={{value}} (later ipvsadm lines may use ${{name}})'),
  skipWatch: msg('watch re-runs a listing; nothing to import'),
  skipServiceScript: msg('the ipvsadm service script saves or restores a file; nothing to import'),
  skipTemplate: msg('a syntax template ("{{template}}"), not a command'),
  skipListingInSentence: msg('a listing command inside a sentence; nothing to import'),
  skipCommandInSentence: msg('a {{command}} command inside a sentence; nothing to import'),
  skipRuleInSentence: msg('an ipvsadm command inside a sentence is not run; put it on a line of its own to import it'),
  skipComment: msg('a comment, or another program run at a # prompt'),
  skipNotIpvsadm: msg('not an ipvsadm command'),
  skipProse: msg('an option described in prose, not a rule line'),
  skipNotRule: msg('not an ipvsadm rule line'),
  skipRestoreFrom: msg('ipvsadm -R reads "{{input}}", which this paste does not hold; paste the rule lines instead'),
  skipRestoreStdin: msg('ipvsadm -R reads standard input, which this paste does not hold; paste the rule lines instead'),
  skipZero: msg('zeroing counters is not part of the table: use the service page\'s "Zero counters" or `lvs-console ipvsadm -Z`'),
  skipNote: msg('a note after the command (the command ran without it)'),
  skipEarlierListing: msg('an earlier listing; the last one is the table'),
  skipListingOutput: msg('output of a listing; the commands in this paste make the table'),
};

/** A message by id in the console's language, or the English fallback when the id is unknown. */
export function localMessage(id: unknown, params: MessageParams | undefined, fallback: string): string {
  return isMessageId(id) ? t(MESSAGE_KEYS[id], params ?? {}) : fallback;
}

/**
 * A message whose parameters may nest other messages: a param `xId` holding a
 * message id says param `x` in the same language, with the same parameters
 * (so a nested message may nest another: a failure wrapping a timeout).
 */
export function localNestedMessage(id: unknown, params: MessageParams | undefined, fallback: string): string {
  if (!params) return localMessage(id, params, fallback);
  const resolved: MessageParams = { ...params };
  for (const [name, value] of Object.entries(params)) {
    if (!name.endsWith('Id') || !isMessageId(value)) continue;
    const inner = name.slice(0, -2);
    const rest = { ...params };
    delete rest[name];
    resolved[inner] = localNestedMessage(value, rest, String(params[inner] ?? ''));
  }
  return localMessage(id, resolved, fallback);
}

/** One issue's message (without its path) in the console's language. */
export function localIssue(issue: Issue): string {
  return localMessage(issue.messageId, issue.params, issue.message);
}

/** Each shared message's English text as an anchored pattern, with its parameter names in order (built on first use). */
let recordedPatterns: Array<{ id: MessageId; pattern: RegExp; names: string[] }> | null = null;

function patternsOfMessages(): Array<{ id: MessageId; pattern: RegExp; names: string[] }> {
  return (Object.keys(MESSAGE_KEYS) as MessageId[]).map((id) => {
    const names: string[] = [];
    const source = MESSAGE_KEYS[id]
      .split(/\{\{(\w+)\}\}/)
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part);
        return '(.+?)';
      })
      .join('');
    return { id, pattern: new RegExp(`^${source}$`, 's'), names };
  });
}

/**
 * A text the agent recorded in words (the audit log keeps the English text,
 * not an id) in the console's language when it is exactly one shared message;
 * anything else as recorded.
 */
export function localRecordedText(text: string): string {
  recordedPatterns ??= patternsOfMessages();
  for (const { id, pattern, names } of recordedPatterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const params: Record<string, string | number> = {};
    names.forEach((name, i) => {
      const value = match[i + 1] ?? '';
      // Plural forms need a number.
      params[name] = name === 'count' && /^\d+$/.test(value) ? Number(value) : value;
    });
    return t(MESSAGE_KEYS[id], params);
  }
  return text;
}
