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

/** The id of a message without parameters (a schema's fixed text), if it has one. */
export function messageIdOfText(text: string): MessageId | undefined {
  return ID_BY_STATIC_TEXT.get(text);
}
