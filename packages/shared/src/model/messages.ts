// Stable ids for the messages the console shows most, with their English
// text. The agent sends an error's or issue's id and parameters beside the
// English message; the console says it in its own language and falls back to
// the English message for ids it does not know (an older or newer console).
export const MESSAGE_TEXTS = {
  // A service and its real servers (the shared schemas and rules).
  portNumber: 'port must be a number',
  portWhole: 'port must be a whole number',
  portRange: 'port must be between 0 and 65535',
  weightNumber: 'weight must be a number',
  weightWhole: 'weight must be a whole number between 0 and 65535',
  weightRange: 'weight must be between 0 and 65535',
  persistenceWhole: 'persistence timeout must be a whole number of seconds',
  persistenceMin: 'persistence timeout must be at least 1 second',
  addressHostname: '"{{value}}" is a hostname; give a numeric IPv4 or IPv6 address',
  addressInvalid: '"{{value}}" is not a valid IPv4 or IPv6 address',
  portZeroNeedsPersistence: 'port 0 (all ports) is only allowed on a persistent service; set persistence (-p) or give a port',
  directPortFixed: '{{method}} cannot change the port: real server port must be {{servicePort}} (the service port), not {{port}}; use NAT (masq) to map ports',
  directFwmarkPortZero: "{{method}} keeps the client's port: a real server of a fwmark service has port 0, not {{port}}; use NAT (masq) to map ports",
  natNeedsPort: 'a NAT real server needs a port (1-65535)',
  destinationTwice: 'real server {{id}} is already in {{service}} (destinations[{{first}}])',
  // The agent's refusals.
  revisionConflict: 'the desired state changed since revision {{base}} (it is now revision {{current}}); reload and try again',
  serviceExists: 'service {{service}} already exists',
  serviceMissing: 'service {{service}} does not exist',
  destinationExists: 'real server {{id}} is already a destination of {{service}}',
  needsAdmin: '{{name}} ({{role}}) may not make this change: it needs an admin',
  needsOperator: '{{name}} ({{role}}) may not make this change: it needs an operator or an admin',
  tooManyLogins: 'too many login attempts from this address; try again in {{seconds}} s',
  // Host settings: each row as the agent names it, finds it on the host and changes it.
  // A param named `setting` is a row's own description (hostSettingDescription), `status`
  // the text of the status id in `statusId`: the console says both in its language too.
  hostSysctlRow: 'sysctl {{name}} = {{value}}',
  hostAddressRow: 'address {{address}} on {{interface}}',
  hostModuleRow: 'kernel module {{name}}',
  hostSnatRow: 'source NAT of {{service}} to {{source}}',
  hostSysctlAbsent: '{{name}} does not exist on this host',
  hostSysctlIs: '{{name}} = {{actual}}',
  hostSysctlWrong: '{{name}} is {{actual}}, should be {{value}}',
  hostNoInterface: '{{interface}}: no such interface',
  hostAddressOn: '{{address}} is on {{interface}}',
  hostAddressNotOn: '{{address}} is not on {{interface}}',
  hostModuleLoaded: '{{name}} is loaded',
  hostModuleNotLoaded: 'kernel module {{name}} is not loaded',
  hostSnatSet: '{{setting}} is set',
  hostSnatAbsent: 'no {{setting}}',
  hostSnatInTable: '{{setting}} is in table {{table}}',
  hostSnatNotInTable: 'no {{setting}} in table {{table}}',
  hostSet: 'set: {{setting}}',
  hostAlreadySet: 'already set: {{status}}',
  hostSysctlNotInKernel: '{{name}} does not exist on this kernel (missing interface or module?)',
  hostAddressRemoved: 'removed {{address}} from {{interface}}',
  hostLeftAsIs: 'left as it is: other software may rely on {{setting}}',
  hostSnatTableDeleted: "deleted the agent's SNAT table",
  hostTableDeleted: 'deleted table {{table}}',
  // Who answers for a service's VIP.
  vipHeld: '{{holder}} holds the VIP {{address}} (VRRP {{instance}} MASTER)',
  vipNoHolder: "no director holds the VIP {{address}}: no live VRRP MASTER, so clients' packets reach no director",
  vipNoHolderIn: "no director holds the VIP {{address}}: no live VRRP MASTER in {{instance}}, so clients' packets reach no director",
  vipOnInterface: 'the VIP {{address}} is on {{interface}}',
  vipNotOnInterface:
    "the VIP {{address}} is not on {{interface}} of this director: clients' packets for it never reach IPVS (apply the host settings to add it)",
  // What one health-check probe found (the agent's checkers). `reason` is a nested
  // message whose id is in `reasonId` (a timeout or a socket error); `output` is the
  // check program's own last line (": text" or empty) and stays as it came.
  probeTimedOut: 'timed out',
  probeTimedOutAfter: 'timed out after {{ms}} ms',
  probeKilled: '{{reason}} (killed)',
  probeConnectionRefused: 'connection refused',
  probeConnectionReset: 'connection reset by peer',
  probeHostUnreachable: 'host unreachable',
  probeNetworkUnreachable: 'network unreachable',
  probeConnectionTimedOut: 'connection timed out',
  probeAddressNotAvailable: 'address not available',
  probeClosedWhileSending: 'connection closed while sending',
  probeConnected: 'connected',
  probeExitUp: 'exit 0: up at the configured weight{{output}}',
  probeExitDown: 'exit 1: down{{output}}',
  probeExitWeight: 'exit {{code}}: up with weight {{weight}}{{output}}',
  probeExit: 'exit {{code}}{{output}}',
  probeExitExpected: 'exit {{code}} (expected {{expected}}){{output}}',
  probeProgramNotFound: '{{program}} not found',
  probeProgramNotExecutable: '{{program}} is not executable',
  probeKilledBy: 'killed by {{signal}}',
  probeHttpUnexpected: '{{status}} (expected {{expected}})',
  probeHttpBodyMatches: '{{status}}, body matches',
  probeHttpBodyNoMatch: '{{status}}, but the body does not match "{{text}}"',
  probeHttpBodyNoContain: '{{status}}, but the body does not contain "{{text}}"',
  probeHttpBodyFailed: '{{status}}, body failed: {{reason}}',
  probeNoReply: 'no reply: {{reason}}',
  probeSilentPort: 'no reply and no port-unreachable',
  probeReplyMismatch: 'reply of {{bytes}} bytes does not contain the expected bytes',
  probeReplyMatches: 'reply of {{bytes}} bytes matches',
  probeReply: 'reply of {{bytes}} bytes',
  probeNoDnsReply: 'no DNS reply: {{reason}}',
  probeDnsMalformed: 'malformed DNS reply: {{error}}',
  probeDnsWrongId: 'the reply does not answer our query (wrong id)',
  probeDnsRcode: 'DNS {{rcode}} for {{name}}',
  probeDnsNoRecord: 'no {{type}} record for {{name}}',
  probeDnsWrongAddress: '{{name}} resolved to {{addresses}}, not to {{expected}}',
  probeUnexpected: 'check failed unexpectedly: {{error}}',
  probeSimFailing: 'simulated: marked failing in the sim backend',
  probeSimHealthy: 'simulated: healthy',
  // "Why no (or little) traffic" (health/explain.ts). A nested message is in
  // `failure`/`drain` with its id in `failureId`/`drainId`; `{{count}}` texts are
  // plural in the console (the agent's English message says "1 template").
  whyTemplatesPin:
    '{{count}} persistence templates still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1',
  whyPersistence:
    'persistence ({{timeout}} s) pins returning clients to the server they used before; a new or recovered server gets only new clients until templates expire',
  whyCheckFailing: 'health check failing for {{duration}}',
  whyCheckFailingBecause: 'health check failing for {{duration}}: {{failure}}',
  whyDrained: 'drained by the operator: {{drain}}',
  whyDrainedBy: 'drained by the operator ({{by}}): {{drain}}',
  whyRemovedOnFailure: 'removed from the kernel while failing (onFailure: remove); it is added back when it recovers',
  whyAlpha: 'alpha mode: kept out until its first successful health check',
  whySorryReplaced: 'quorum lost (healthy weight {{healthy}} < {{quorum}}): sorry server {{sorry}} has replaced the real servers',
  whySorryBeside: 'quorum lost (healthy weight {{healthy}} < {{quorum}}): the sorry server serves beside the real servers',
  whyQuorumNoSorry: 'quorum lost (healthy weight {{healthy}} < {{quorum}}); no sorry server is configured',
  whySorryServes: 'quorum lost (healthy weight {{healthy}} < {{quorum}}): the sorry server takes the traffic until quorum returns',
  whyConfiguredZero: 'configured weight is 0 (quiescent): no new connections',
  whyDynamicWeight: 'the check command set the weight to {{weight}} (configured {{configured}})',
  whySlowStart: 'slow start: weight {{weight}} of {{base}}, full in {{left}}',
  whyOverloaded: 'overloaded: {{connections}} connections reached the upper threshold {{upper}}; new ones resume below {{lower}}',
  whyRrIgnoresWeight: 'rr ignores weights: every server with weight > 0 gets an equal turn (use wrr for weighted shares)',
  whyLcIgnoresWeight: 'lc ignores weights: it picks the fewest connections among servers with weight > 0 (use wlc for weighted shares)',
  whyDhOneBucket: 'dh gives every server one hash bucket in turn whatever its weight; weight only switches it on or off',
  whyDhNoFallback: 'dh has no fallback: clients whose destination address hashes to this server get no server at all while it is at weight 0',
  whyHashNoFallback:
    '{{scheduler}} without {{flag}}: clients that hash to this server get no server at all while it is at weight 0 (set {{flag}} to send them elsewhere)',
  whyFoPriority: 'fo sends every new connection to the available server with the highest weight ({{server}} has {{weight}})',
  whyOvfLimit: 'ovf uses weight as a connection limit: this server takes new connections while it has fewer than {{weight}} active ones, highest weight first',
  drainWaiting: 'draining: waiting for the first observation',
  drainDone: 'drained: no connections left; safe to remove',
  drainDoneTemplates: 'drained: no connections left ({{count}} persistence templates still point here and expire on their own); safe to remove',
  drainProgress: 'draining: {{initial}} → {{count}} connections{{rate}}',
  drainProgressEta: 'draining: {{initial}} → {{count}} connections{{rate}}, about {{left}} left',
  // Import errors: keepalived.conf (syntax and reading) and an ipvsadm paste. A
  // validation issue inside is nested as `issue` with its id in `issueId`.
  importTooLarge: 'the configuration is larger than {{max}} characters in all',
  importBraceWithoutKeyword: "'{' without a keyword before it",
  importBraceUnopened: "unbalanced braces: '}' without a block to close",
  importBraceUnclosed: "unbalanced braces: the '{' here is never closed",
  importMissingQuote: 'missing closing {{quote}}',
  importIncludeUnreadable: 'include "{{pattern}}": included files cannot be read here; import the files it names as one text',
  importIncludeDepth: 'include "{{pattern}}": includes nest deeper than {{max}} levels',
  importIncludeError: 'include "{{pattern}}": {{error}}',
  importIncludeTooMany: 'include "{{pattern}}": more than {{max}} included files in all',
  importUnknownTopBlock: 'unknown block "{{keyword}}" at the top level',
  importUnknownTopKeyword: 'unknown keyword "{{keyword}}" at the top level',
  importUnknownBlockIn: 'unknown block "{{keyword}}" in {{where}}',
  importGroupNoName: 'virtual_server_group needs a name',
  importGroupNoBlock: 'virtual_server_group {{name}} has no { } block',
  importGroupFwmark: 'virtual_server_group {{name}}: fwmark "{{value}}" must be 1..4294967295',
  importGroupRange: 'virtual_server_group {{name}}: {{error}}',
  importGroupPort: 'virtual_server_group {{name}}: port "{{value}}" must be 0..65535',
  importGroupTooMany: 'virtual_server_group {{name}}: the groups list more than {{max}} addresses in all; the console imports at most {{max}} services',
  importVsNoAddress: 'virtual_server needs an address (IP [PORT], fwmark N or group NAME)',
  importVsGroupNoName: 'virtual_server group needs a group name',
  importVsFwmark: 'virtual_server fwmark "{{value}}" must be 1..4294967295',
  importVsNotIp: 'virtual_server: "{{value}}" is not an IP address',
  importVsPort: 'virtual_server {{address}}: port "{{value}}" must be 0..65535',
  importVsNoBlock: 'virtual_server has no { } block',
  importRsNoIp: 'real_server needs an IP address',
  importRsNotIp: 'real_server needs an IP address ("{{value}}" is not one)',
  importRsPort: 'real_server {{address}}: port "{{value}}" must be 0..65535',
  importNoSuchGroup: 'virtual_server group {{name}}: no virtual_server_group of that name',
  importTooManyServices: 'more than {{max}} virtual services in all; the console imports at most {{max}}',
  importServiceIssue: '{{label}}: {{issue}} ({{path}})',
  importIssue: '{{issue}} ({{path}})',
  importUnknownLongOption: 'unknown option --{{name}}',
  importUnknownOption: 'unknown option -{{letter}}',
  importUnknownOptionIn: 'unknown option -{{letter}} in {{token}}',
  importTakesNoValue: '{{option}} takes no value',
  importNeedsValue: '{{option}} needs a value',
  importNotCommand: 'the line must start with a command (-A, -E, -D, -C, -a, -e, -d, -L, -Z, -S, -R, --set, --start-daemon, --stop-daemon), not "{{token}}"',
  importNoCommand: 'no command given',
  importShellSyntax: '"{{text}}" is shell syntax around the command; paste the ipvsadm command alone',
  importHostName:
    '"{{host}}" is a host name; ipvsadm prints names when -n is not given, and this paste cannot look them up: paste `ipvsadm -S -n` or `ipvsadm -L -n` output, or write the address',
  importPortName: '"{{port}}" in {{word}} is neither a port number nor a service name ipvsadm prints (http, https, domain, ...): write the port number',
  importUnsetVariable:
    '${{name}} is a shell variable this paste never sets; write its value (an address such as 192.0.2.10) in its place, or include the line that sets it ({{name}}=...)',
  importListingIssue: '{{issue}} (in the pasted listing)',
  // The share prediction's notes (schedulers/predict.ts).
  predictWeightsOnOff: '{{scheduler}} uses weights only to switch a server on (> 0) or off (0); the value has no effect',
  predictNoClients: 'no client population given: shares are the fraction of lookup-table slots, exact for uniformly spread clients',
  predictShSlots: 'sh gives each server `weight` consecutive slots per round of its 256-slot table, so weights shape the split',
  predictMhTurns: 'mh gives each server weight/gcd turns per round when filling its 4093-slot table',
  predictPortZero: '{{flag}} is set but some clients have no port: port 0 was hashed for them',
  predictDhVip: 'dh hashes the packet destination (the VIP): every connection to one VIP goes to one server',
  predictDhSlots: 'dh gives every server one table slot in turn; weights do not tile the table',
  predictSimulatedActive: 'simulated {{total}} new connections from the current counters, each staying open (active)',
  predictSimulatedInactive: 'simulated {{total}} new connections from the current counters, each counted inactive',
  predictSimulatedGone: 'simulated {{total}} new connections from the current counters, each gone before the next',
  predictLocality:
    '{{scheduler}} keys on the destination address: with one VIP all connections share one entry and stay on one server until it has more active connections than its weight',
  predictTwosRandom: "twos draws random numbers: the kernel's cannot be reproduced, a seeded PRNG stands in",
  // Why a paste skipped a line (ipvsadm/paste.ts).
  skipList: 'a listing command; its output shows the table, the commands make it',
  skipSave: 'ipvsadm -S prints the table; paste its output to import it',
  skipHelp: 'ipvsadm --help prints text; nothing to import',
  skipVersion: 'ipvsadm --version prints text; nothing to import',
  skipSaveProgram: 'ipvsadm-save prints the table; paste its output to import it',
  skipRestoreProgram: "ipvsadm-restore reads a file this paste does not hold; paste the file's lines instead",
  skipVariable: 'sets the shell variable {{name}}={{value}} (later ipvsadm lines may use ${{name}})',
  skipWatch: 'watch re-runs a listing; nothing to import',
  skipServiceScript: 'the ipvsadm service script saves or restores a file; nothing to import',
  skipTemplate: 'a syntax template ("{{template}}"), not a command',
  skipListingInSentence: 'a listing command inside a sentence; nothing to import',
  skipCommandInSentence: 'a {{command}} command inside a sentence; nothing to import',
  skipRuleInSentence: 'an ipvsadm command inside a sentence is not run; put it on a line of its own to import it',
  skipComment: 'a comment, or another program run at a # prompt',
  skipNotIpvsadm: 'not an ipvsadm command',
  skipProse: 'an option described in prose, not a rule line',
  skipNotRule: 'not an ipvsadm rule line',
  skipRestoreFrom: 'ipvsadm -R reads "{{input}}", which this paste does not hold; paste the rule lines instead',
  skipRestoreStdin: 'ipvsadm -R reads standard input, which this paste does not hold; paste the rule lines instead',
  skipZero: 'zeroing counters is not part of the table: use the service page\'s "Zero counters" or `lvs-console ipvsadm -Z`',
  skipNote: 'a note after the command (the command ran without it)',
  skipEarlierListing: 'an earlier listing; the last one is the table',
  skipListingOutput: 'output of a listing; the commands in this paste make the table',
} as const;

export type MessageId = keyof typeof MESSAGE_TEXTS;
export type MessageParams = Record<string, string | number>;

const ID_BY_STATIC_TEXT = new Map<string, MessageId>(
  (Object.entries(MESSAGE_TEXTS) as Array<[MessageId, string]>).filter(([, text]) => !text.includes('{{')).map(([id, text]) => [text, id]),
);

export function isMessageId(id: unknown): id is MessageId {
  return typeof id === 'string' && Object.hasOwn(MESSAGE_TEXTS, id);
}

/** The English text of a message with its parameters filled in. */
export function messageText(id: MessageId, params: MessageParams = {}): string {
  return MESSAGE_TEXTS[id].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** A message with its id and parameters beside its English text, as a status row or result carries it. */
export interface DescribedText {
  message: string;
  messageId: MessageId;
  params: MessageParams;
}

export function describedText(id: MessageId, params: MessageParams = {}): DescribedText {
  return { message: messageText(id, params), messageId: id, params };
}

/**
 * Parameters that nest another message as param `name`: its English text there,
 * its id in `${name}Id` and its own parameters beside (the console says both).
 */
export function nestedParams(
  name: string,
  inner: { message: string; messageId?: MessageId; params?: MessageParams },
  params: MessageParams = {},
): MessageParams {
  const nested: MessageParams = { ...inner.params, ...params, [name]: inner.message };
  if (inner.messageId) nested[`${name}Id`] = inner.messageId;
  return nested;
}

/** The id of a message without parameters (a schema's fixed text), if it has one. */
export function messageIdOfText(text: string): MessageId | undefined {
  return ID_BY_STATIC_TEXT.get(text);
}
