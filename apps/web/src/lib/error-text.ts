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
};

/** A message by id in the console's language, or the English fallback when the id is unknown. */
export function localMessage(id: unknown, params: MessageParams | undefined, fallback: string): string {
  return isMessageId(id) ? t(MESSAGE_KEYS[id], params ?? {}) : fallback;
}

/** One issue's message (without its path) in the console's language. */
export function localIssue(issue: Issue): string {
  return localMessage(issue.messageId, issue.params, issue.message);
}
