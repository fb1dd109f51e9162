// The shared package explains each host setting in English ("DR: never
// announce the VIP as an ARP source address (all)"); the console shows those
// reasons, and the setup scripts' comments, in the operator's language.
import { msg, t } from '../../lib/i18n';

/** Each reason's shape, its variable parts named as the translation's placeholders. */
const REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?<label>.+): the IPVS core module$/, msg('{{label}}: the IPVS core module')],
  [/^(?<label>.+): NAT replies are forwarded back through the director$/, msg('{{label}}: NAT replies are forwarded back through the director')],
  [/^(?<label>.+): IP-in-IP encapsulation to tunnelled real servers$/, msg('{{label}}: IP-in-IP encapsulation to tunnelled real servers')],
  [/^(?<label>.+): GRE encapsulation to tunnelled real servers$/, msg('{{label}}: GRE encapsulation to tunnelled real servers')],
  [
    /^(?<label>.+): GUE \(foo-over-UDP\) encapsulation to tunnelled real servers$/,
    msg('{{label}}: GUE (foo-over-UDP) encapsulation to tunnelled real servers'),
  ],
  [/^(?<label>.+): the director answers for the virtual IP$/, msg('{{label}}: the director answers for the virtual IP')],
  [
    /^(?<label>.+): FULLNAT source NAT needs conntrack entries for IPVS traffic$/,
    msg('{{label}}: FULLNAT source NAT needs conntrack entries for IPVS traffic'),
  ],
  [
    /^(?<label>.+): FULLNAT, real servers reply to (?<source>\S+) and need no special gateway$/,
    msg('{{label}}: FULLNAT, real servers reply to {{source}} and need no special gateway'),
  ],
  [/^the director answers for the virtual IP (?<vip>\S+)$/, msg('the director answers for the virtual IP {{vip}}')],
  [
    /^DR: answer ARP only for addresses on the receiving interface, never for the VIP on lo \((?<iface>[^)]+)\)$/,
    msg('DR: answer ARP only for addresses on the receiving interface, never for the VIP on lo ({{iface}})'),
  ],
  [/^DR: never announce the VIP as an ARP source address \((?<iface>[^)]+)\)$/, msg('DR: never announce the VIP as an ARP source address ({{iface}})')],
  [/^DR: accept packets for (?<vip>\S+) without announcing it$/, msg('DR: accept packets for {{vip}} without announcing it')],
  [/^TUN: decapsulate IP-in-IP packets from the director \(creates tunl0\)$/, msg('TUN: decapsulate IP-in-IP packets from the director (creates tunl0)')],
  [
    /^TUN: decapsulated packets for the VIP arrive on an interface that is not their return path$/,
    msg('TUN: decapsulated packets for the VIP arrive on an interface that is not their return path'),
  ],
  [
    /^TUN: decapsulated packets for the VIP arrive on (?<iface>\S+) that is not their return path$/,
    msg('TUN: decapsulated packets for the VIP arrive on {{iface}} that is not their return path'),
  ],
  [/^TUN: never answer ARP for the VIP on tunl0$/, msg('TUN: never answer ARP for the VIP on tunl0')],
  [
    /^TUN: answer ARP only for addresses on the receiving interface, never for the VIP on tunl0 \((?<iface>[^)]+)\)$/,
    msg('TUN: answer ARP only for addresses on the receiving interface, never for the VIP on tunl0 ({{iface}})'),
  ],
  [/^TUN: never announce the VIP as an ARP source address \((?<iface>[^)]+)\)$/, msg('TUN: never announce the VIP as an ARP source address ({{iface}})')],
  [/^TUN: accept decapsulated packets for (?<vip>\S+)$/, msg('TUN: accept decapsulated packets for {{vip}}')],
];

/** One reason (or several joined with "; ", as merged settings carry them) in the console's language. */
export function localizeReason(reason: string): string {
  return reason
    .split('; ')
    .map((part) => {
      for (const [pattern, key] of REASONS) {
        const match = pattern.exec(part);
        if (match) return t(key, { ...match.groups });
      }
      return part;
    })
    .join('; ');
}

/** A shell script with its comment lines (not the #! line) in the console's language. */
export function localizeShellComments(script: string): string {
  return script
    .split('\n')
    .map((line) => (line.startsWith('# ') ? `# ${localizeReason(line.slice(2))}` : line))
    .join('\n');
}
