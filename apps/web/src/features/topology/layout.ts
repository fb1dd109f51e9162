// Pure layout of a service's topology diagram: where the client, the director
// and each real server go, and the request and reply paths for the service's
// forwarding method. The SVG component only draws what this returns, so the
// geometry is unit-tested without a browser.
import type { Destination, ForwardingMethod, HostSetting, ServiceKey } from '@lvs-console/shared';
import { destinationId, formatEndpoint, serviceId } from '@lvs-console/shared';
import type { RealServerReport } from '@lvs-console/shared/api';
import { clockTime } from '../../lib/format-time';
import { problemLines, reportFindings } from '../realservers/real-server-reports';
import { msg, t } from '../../lib/i18n';

export type TopologyMethod = 'NAT' | 'DR' | 'TUN' | 'FULLNAT' | 'MIXED' | 'NONE';
export type ServerState = 'serving' | 'draining' | 'failing' | 'overloaded';

export const METHOD_OF_FORWARDING: Record<ForwardingMethod, 'NAT' | 'DR' | 'TUN'> = { masq: 'NAT', route: 'DR', tunnel: 'TUN' };

export interface TopologyServerInput {
  destination: Pick<Destination, 'address' | 'port' | 'weight' | 'forwarding'>;
  /** New connections per second over the last sample. */
  cps: number;
  activeConns: number;
  overloaded?: boolean;
  failing?: boolean;
  /** Host-setting problems on this server, each naming it ("arp_ignore not set on 10.0.0.7"). */
  problems?: readonly string[];
  /** What the server's own agent last reported, if it runs one. */
  report?: Pick<RealServerReport, 'mode' | 'vips' | 'rows' | 'stale' | 'receivedAt'> | null;
}

export interface TopologyInput {
  serviceKey: ServiceKey;
  servers: readonly TopologyServerInput[];
  /** The director's address real servers see (their gateway for NAT, the SNAT source for FULLNAT). */
  dip?: string | null;
  hostSettings?: readonly HostSetting[];
  directorProblems?: readonly string[];
  /** Which director of a pair answers for the VIP (its VRRP MASTER), when known. */
  vipHolder?: string | null;
}

export interface Point {
  x: number;
  y: number;
}

export interface ServerNode extends Point {
  id: string;
  label: string;
  state: ServerState;
  weight: number;
  cps: number;
  activeConns: number;
  /** Stroke width of the director-to-server edge, by live rate. */
  edgeWidth: number;
  /** From the server's own report: failing settings or no recent report. `short` fits a compact node. */
  marker: { text: string; short: string; tone: 'problem' | 'note' } | null;
  /** Where the VIP must live on this server, per method ("lo", "tunl0") or null. */
  vipInterface: string | null;
}

export interface PathSpec {
  id: string;
  d: string;
  kind: 'request' | 'reply';
  width: number;
}

export interface TopologyLayout {
  method: TopologyMethod;
  width: number;
  height: number;
  client: Point;
  director: Point;
  servers: ServerNode[];
  paths: PathSpec[];
  /** The shared L2 segment (DR) or per-server remote networks (TUN), as boxes. */
  segments: Array<{ x: number; y: number; width: number; height: number; label: string }>;
  vipLabel: string;
  dipLabel: string;
  /** "Director", or the name of the pair's director holding the VIP ("lb1"). */
  directorLabel: string;
  /** The line under it: "VIP", or "MASTER" for a pair's VIP holder. */
  directorRole: string;
  /** Lines over the drawing: the director's and the real servers' problems, then notes on stale reports. */
  notes: Array<{ text: string; tone: 'problem' | 'note' }>;
  /** A sentence for screen readers: "DR topology of 172.25.254.100:80". */
  accessibleName: string;
  caption: string;
}

export const SERVER_SPACING = 64;
const COLUMN_CLIENT = 70;
const COLUMN_DIRECTOR = 300;
const COLUMN_SERVERS = 580;
const WIDTH = 760;
const MIN_EDGE = 1.5;
const MAX_EDGE = 9;
/** More lines than this over the drawing would push the servers out of view: the rest is counted. */
export const MAX_NOTES = 12;

export function serverState(input: TopologyServerInput): ServerState {
  if (input.failing) return 'failing';
  if (input.overloaded) return 'overloaded';
  if (input.destination.weight === 0) return 'draining';
  return 'serving';
}

/** The method of the service: the destinations' shared forwarding, FULLNAT when NAT has a SNAT row. */
export function topologyMethod(key: ServiceKey, forwardings: readonly ForwardingMethod[], hostSettings: readonly HostSetting[] = []): TopologyMethod {
  const methods = new Set(forwardings.map((f) => METHOD_OF_FORWARDING[f]));
  if (methods.size === 0) return 'NONE';
  if (methods.size > 1) return 'MIXED';
  const [only] = [...methods];
  const id = serviceId(key);
  if (only === 'NAT' && hostSettings.some((s) => s.kind === 'snat' && serviceId(s.service) === id)) return 'FULLNAT';
  return only ?? 'NONE';
}

export function vipText(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `fwmark ${key.fwmark}` : formatEndpoint(key.address, key.port);
}

/** Edge width from the live rate, relative to the busiest server. */
export function edgeWidth(cps: number, maxCps: number): number {
  if (maxCps <= 0 || cps <= 0) return MIN_EDGE;
  return MIN_EDGE + (MAX_EDGE - MIN_EDGE) * Math.min(1, cps / maxCps);
}

const CAPTIONS: Record<TopologyMethod, string> = {
  NAT: msg('NAT: the director rewrites the destination to a real server; replies return through the director (real servers use the DIP as gateway).'),
  FULLNAT: msg('FULLNAT: NAT plus source NAT to the DIP, so real servers reply to the director without a special gateway.'),
  DR: msg("DR: same L2 segment; the director rewrites only the MAC; the VIP sits on each real server's lo; replies go straight to the client."),
  TUN: msg(
    'TUN: the director encapsulates (IP-in-IP) to real servers that may sit in other networks; the VIP sits on tunl0; replies go straight to the client.',
  ),
  MIXED: msg('Mixed forwarding: real servers use different methods.'),
  NONE: msg('No real servers yet.'),
};

interface ServerFindings {
  problems: string[];
  marker: ServerNode['marker'];
  staleNote: string | null;
}

function serverFindings(input: TopologyServerInput, serviceKey: ServiceKey): ServerFindings {
  const own = [...(input.problems ?? [])];
  const report = input.report;
  if (!report) return { problems: own, marker: null, staleNote: null };
  const address = input.destination.address;
  const findings = reportFindings(report, input.destination, serviceKey);
  if (findings.state === 'stale') {
    const since = clockTime(report.receivedAt);
    return {
      problems: own,
      marker: { text: t('settings: no report'), short: t('no report'), tone: 'note' },
      staleNote: t('no report from {{address}} since {{time}}', { address, time: since }),
    };
  }
  const lines = problemLines(findings, address);
  const marker =
    lines.length > 0
      ? { text: t('settings: {{count}} failing', { count: lines.length }), short: t('{{count}} failing', { count: lines.length }), tone: 'problem' as const }
      : null;
  return { problems: [...own, ...lines], marker, staleNote: null };
}

/** Director problems first, then each server's; one server on two ports is said once. */
function notesOf(directorProblems: readonly string[], findings: readonly ServerFindings[]): TopologyLayout['notes'] {
  const problems = new Set([...directorProblems.map((p) => t('Director: {{problem}}', { problem: p })), ...findings.flatMap((f) => f.problems)]);
  const stale = new Set(findings.flatMap((f) => (f.staleNote ? [f.staleNote] : [])));
  const all = [...[...problems].map((text) => ({ text, tone: 'problem' as const })), ...[...stale].map((text) => ({ text, tone: 'note' as const }))];
  if (all.length <= MAX_NOTES) return all;
  const hidden = all.length - (MAX_NOTES - 1);
  return [...all.slice(0, MAX_NOTES - 1), { text: t('and {{count}} more (see Real servers setup)', { count: hidden }), tone: 'note' }];
}

export function layoutTopology(input: TopologyInput): TopologyLayout {
  const forwardings = input.servers.map((s) => s.destination.forwarding);
  const method = topologyMethod(input.serviceKey, forwardings, input.hostSettings);
  const count = input.servers.length;
  const spacing = count > 12 ? Math.max(22, Math.floor((12 * SERVER_SPACING) / count)) : SERVER_SPACING;
  const findings = input.servers.map((s) => serverFindings(s, input.serviceKey));
  const notes = notesOf(input.directorProblems ?? [], findings);
  const top = 70 + 14 * notes.length;
  const height = Math.max(250, top + Math.max(1, count) * spacing + 50);
  const middle = top + ((Math.max(1, count) - 1) * spacing) / 2;
  const client: Point = { x: COLUMN_CLIENT, y: middle };
  const director: Point = { x: COLUMN_DIRECTOR, y: middle };
  const maxCps = Math.max(0, ...input.servers.map((s) => s.cps));
  const servers: ServerNode[] = input.servers.map((s, index) => {
    const forwardingMethod = METHOD_OF_FORWARDING[s.destination.forwarding];
    return {
      id: destinationId(s.destination),
      label: formatEndpoint(s.destination.address, s.destination.port),
      x: COLUMN_SERVERS,
      y: top + index * spacing,
      state: serverState(s),
      weight: s.destination.weight,
      cps: s.cps,
      activeConns: s.activeConns,
      edgeWidth: edgeWidth(s.cps, maxCps),
      marker: findings[index]?.marker ?? null,
      vipInterface: forwardingMethod === 'DR' ? 'lo' : forwardingMethod === 'TUN' ? 'tunl0' : null,
    };
  });

  const paths: PathSpec[] = [
    { id: 'client-director', d: `M${client.x + 28},${client.y - 6} L${director.x - 40},${director.y - 6}`, kind: 'request', width: 2.5 },
  ];
  const directReply = method === 'DR' || method === 'TUN';
  for (const server of servers) {
    // Requests leave the director's right edge; the curve keeps many edges readable.
    const startX = director.x + 40;
    const endX = server.x - 60;
    const midX = (startX + endX) / 2;
    paths.push({
      id: `request-${server.id}`,
      d: `M${startX},${director.y} C${midX},${director.y} ${midX},${server.y} ${endX},${server.y}`,
      kind: 'request',
      width: server.edgeWidth,
    });
    if (directReply) {
      // Straight back to the client, bypassing the director (under it).
      const dipY = Math.max(server.y, director.y) + 40;
      paths.push({
        id: `reply-${server.id}`,
        d: `M${endX},${server.y + 8} C${director.x},${dipY} ${client.x + 120},${client.y + 50} ${client.x + 20},${client.y + 18}`,
        kind: 'reply',
        width: 1.5,
      });
    } else {
      paths.push({
        id: `reply-${server.id}`,
        d: `M${endX},${server.y + 8} C${midX},${server.y + 8} ${midX},${director.y + 10} ${startX},${director.y + 10}`,
        kind: 'reply',
        width: 1.5,
      });
    }
  }
  if (!directReply && servers.length > 0) {
    paths.push({ id: 'director-client', d: `M${director.x - 40},${director.y + 10} L${client.x + 28},${client.y + 10}`, kind: 'reply', width: 1.5 });
  }

  const segments: TopologyLayout['segments'] = [];
  if (method === 'DR' && count > 0) {
    segments.push({
      x: director.x - 60,
      y: top - 40,
      width: COLUMN_SERVERS + 170 - (director.x - 60),
      height: (count - 1) * spacing + 80,
      label: t('same L2 segment'),
    });
  }
  if (method === 'TUN') {
    for (const server of servers) {
      segments.push({ x: server.x - 66, y: server.y - spacing / 2 + 4, width: 236, height: spacing - 8, label: '' });
    }
  }
  const vipLabel = vipText(input.serviceKey);
  const dip = input.dip ?? null;
  const accessibleName =
    method === 'NONE' || method === 'MIXED'
      ? t('Service topology of {{vip}}', { vip: vipLabel })
      : t('{{method}} topology of {{vip}}', { method, vip: vipLabel });
  return {
    method,
    width: WIDTH,
    height,
    client,
    director,
    servers,
    paths,
    segments,
    vipLabel,
    // Unknown until the agent reads the route toward the real servers (or when it cannot read this host).
    dipLabel: dip ? `DIP ${dip}` : t('DIP (address unknown)'),
    directorLabel: input.vipHolder ?? t('Director'),
    directorRole: input.vipHolder ? 'MASTER' : 'VIP',
    notes,
    accessibleName,
    caption: t(CAPTIONS[method]),
  };
}

/**
 * The DIP to label from the director's source address toward each real
 * server: one address, or the first two and a count when they differ
 * (real servers on several networks); null when none is known.
 */
export function dipText(sources: Readonly<Record<string, string | null>> | undefined): string | null {
  const distinct = [...new Set(Object.values(sources ?? {}).filter((s): s is string => s !== null))];
  if (distinct.length === 0) return null;
  return distinct.length <= 2 ? distinct.join(', ') : `${distinct.slice(0, 2).join(', ')} +${distinct.length - 2}`;
}
