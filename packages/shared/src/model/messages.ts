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

/** The id of a message without parameters (a schema's fixed text), if it has one. */
export function messageIdOfText(text: string): MessageId | undefined {
  return ID_BY_STATIC_TEXT.get(text);
}
