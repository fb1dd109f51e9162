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
  /** Horizontal (client, director, servers left to right) or vertical for a phone (director on top, servers stacked below). */
  orientation?: TopologyOrientation;
}

export type TopologyOrientation = 'horizontal' | 'vertical';

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
  orientation: TopologyOrientation;
  method: TopologyMethod;
  width: number;
  height: number;
  client: Point;
  director: Point;
  servers: ServerNode[];
  paths: PathSpec[];
  /** A server's box relative to its node: from x + offsetX, this wide. */
  serverBox: { offsetX: number; width: number };
  /** Where the VIP and DIP labels go: above and below the director, or both below it (vertical). */
  vipLabelAt: Point;
  dipLabelAt: Point;
  /** The legend's two parts: the path kinds and the server states (one row, or two on a phone). */
  legend: { paths: Point; states: Point };
  /** The shared L2 segment (DR) or per-server remote networks (TUN), as boxes. */
  segments: Array<{ x: number; y: number; width: number; height: number; label: string }>;
  vipLabel: string;
  dipLabel: string;
  /** "Director", or the name of the pair's director holding the VIP ("lb1"). */
  directorLabel: string;
  /** The line under it: "VIP", or "MASTER" for a pair's VIP holder. */
  directorRole: string;
  /** The director's and the real servers' problems, then notes on stale reports: over the drawing (horizontal) or above it as text that wraps (vertical). */
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

// Vertical (phone) geometry: client on top, director below it, real servers
// stacked under both; requests run down a trunk on the left, replies up one on
// the right (to the director for NAT, straight to the client for DR/TUN).
const V_WIDTH = 360;
const V_CENTER = V_WIDTH / 2;
const V_LEFT_TRUNK = 16;
const V_RIGHT_TRUNK = 344;
const V_CLIENT_Y = 26;
const V_DIRECTOR_Y = 116;
const V_FIRST_SERVER_Y = 226;
const V_SERVER_BOX = { offsetX: -60, width: 300 };
const V_SERVER_X = 90;

export function layoutTopology(input: TopologyInput): TopologyLayout {
  const vertical = input.orientation === 'vertical';
  const forwardings = input.servers.map((s) => s.destination.forwarding);
  const method = topologyMethod(input.serviceKey, forwardings, input.hostSettings);
  const count = input.servers.length;
  const spacing = count > 12 ? Math.max(22, Math.floor((12 * SERVER_SPACING) / count)) : SERVER_SPACING;
  const findings = input.servers.map((s) => serverFindings(s, input.serviceKey));
  const notes = notesOf(input.directorProblems ?? [], findings);
  // Vertical: the notes are text above the drawing, so they take no room in it.
  const top = vertical ? V_FIRST_SERVER_Y : 70 + 14 * notes.length;
  const height = vertical ? top + (Math.max(1, count) - 1) * spacing + 76 : Math.max(250, top + Math.max(1, count) * spacing + 50);
  const middle = top + ((Math.max(1, count) - 1) * spacing) / 2;
  const client: Point = vertical ? { x: V_CENTER, y: V_CLIENT_Y } : { x: COLUMN_CLIENT, y: middle };
  const director: Point = vertical ? { x: V_CENTER, y: V_DIRECTOR_Y } : { x: COLUMN_DIRECTOR, y: middle };
  const serverBox = vertical ? V_SERVER_BOX : { offsetX: -60, width: 220 };
  const maxCps = Math.max(0, ...input.servers.map((s) => s.cps));
  const servers: ServerNode[] = input.servers.map((s, index) => {
    const forwardingMethod = METHOD_OF_FORWARDING[s.destination.forwarding];
    return {
      id: destinationId(s.destination),
      label: formatEndpoint(s.destination.address, s.destination.port),
      x: vertical ? V_SERVER_X : COLUMN_SERVERS,
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
  const directReply = method === 'DR' || method === 'TUN';
  const paths = vertical ? verticalPaths(client, director, servers, directReply) : horizontalPaths(client, director, servers, directReply);

  const segments: TopologyLayout['segments'] = [];
  if (method === 'DR' && count > 0) {
    const last = servers[servers.length - 1]?.y ?? top;
    segments.push(
      vertical
        ? { x: 6, y: director.y - 44, width: V_RIGHT_TRUNK - 14, height: last - director.y + 44 + 34, label: t('same L2 segment') }
        : {
            x: director.x - 60,
            y: top - 40,
            width: COLUMN_SERVERS + 170 - (director.x - 60),
            height: (count - 1) * spacing + 80,
            label: t('same L2 segment'),
          },
    );
  }
  if (method === 'TUN') {
    for (const server of servers) {
      const left = server.x + serverBox.offsetX - 6;
      segments.push({ x: left, y: server.y - spacing / 2 + 4, width: serverBox.width + 12 + (vertical ? 0 : 4), height: spacing - 8, label: '' });
    }
  }
  const vipLabel = vipText(input.serviceKey);
  const dip = input.dip ?? null;
  const accessibleName =
    method === 'NONE' || method === 'MIXED'
      ? t('Service topology of {{vip}}', { vip: vipLabel })
      : t('{{method}} topology of {{vip}}', { method, vip: vipLabel });
  return {
    orientation: vertical ? 'vertical' : 'horizontal',
    method,
    width: vertical ? V_WIDTH : WIDTH,
    height,
    client,
    director,
    servers,
    paths,
    serverBox,
    vipLabelAt: vertical ? { x: director.x, y: director.y + 54 } : { x: director.x, y: director.y - 46 },
    dipLabelAt: vertical ? { x: director.x, y: director.y + 70 } : { x: director.x, y: director.y + 52 },
    legend: vertical
      ? { paths: { x: 12, y: height - 30 }, states: { x: 12, y: height - 10 } }
      : { paths: { x: 12, y: height - 18 }, states: { x: 172, y: height - 18 } },
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

function horizontalPaths(client: Point, director: Point, servers: readonly ServerNode[], directReply: boolean): PathSpec[] {
  const paths: PathSpec[] = [
    { id: 'client-director', d: `M${client.x + 28},${client.y - 6} L${director.x - 40},${director.y - 6}`, kind: 'request', width: 2.5 },
  ];
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
  return paths;
}

function verticalPaths(client: Point, director: Point, servers: readonly ServerNode[], directReply: boolean): PathSpec[] {
  const paths: PathSpec[] = [
    { id: 'client-director', d: `M${client.x - 8},${client.y + 24} L${director.x - 8},${director.y - 38}`, kind: 'request', width: 2.5 },
  ];
  const boxLeft = V_SERVER_X + V_SERVER_BOX.offsetX;
  const boxRight = boxLeft + V_SERVER_BOX.width;
  const trunkStartY = director.y + 24;
  for (const server of servers) {
    // Down the left trunk from the director, into the server's left edge (its width is the live rate).
    paths.push({
      id: `request-${server.id}`,
      d: `M${director.x - 40},${trunkStartY} L${V_LEFT_TRUNK + 8},${trunkStartY} Q${V_LEFT_TRUNK},${trunkStartY} ${V_LEFT_TRUNK},${trunkStartY + 8} L${V_LEFT_TRUNK},${server.y - 8} Q${V_LEFT_TRUNK},${server.y} ${V_LEFT_TRUNK + 8},${server.y} L${boxLeft},${server.y}`,
      kind: 'request',
      width: server.edgeWidth,
    });
    // Up the right trunk: into the director (NAT), or past it straight to the client (DR, TUN).
    const endY = directReply ? client.y : director.y + 10;
    const endX = directReply ? client.x + 26 : director.x + 40;
    paths.push({
      id: `reply-${server.id}`,
      d: `M${boxRight},${server.y + 8} L${V_RIGHT_TRUNK - 8},${server.y + 8} Q${V_RIGHT_TRUNK},${server.y + 8} ${V_RIGHT_TRUNK},${server.y} L${V_RIGHT_TRUNK},${endY + 8} Q${V_RIGHT_TRUNK},${endY} ${V_RIGHT_TRUNK - 8},${endY} L${endX},${endY}`,
      kind: 'reply',
      width: 1.5,
    });
  }
  if (!directReply && servers.length > 0) {
    paths.push({ id: 'director-client', d: `M${director.x + 8},${director.y - 38} L${client.x + 8},${client.y + 24}`, kind: 'reply', width: 1.5 });
  }
  return paths;
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
