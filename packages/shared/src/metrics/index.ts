// Prometheus text exposition (format 0.0.4) of the kernel's counters and the
// agent's own figures. Pure: the agent gathers the numbers, this writes them.
import { destinationId, serviceId, type Counters, type ObservedTable } from '../model';

export interface HistogramData {
  /** Upper bounds in seconds, ascending; +Inf is added. */
  buckets: readonly number[];
  /** Cumulative counts per bound. */
  counts: readonly number[];
  count: number;
  sum: number;
}

export interface AgentFigures {
  version: string;
  backend: string;
  revision: number;
  driftChanges: number;
  commitsOk: number;
  commitsFailed: number;
  rejected: number;
  applyDuration: HistogramData;
  /** Seconds since the observation the counters come from. */
  observationAgeSeconds: number | null;
  samplerDurationSeconds: number;
  /** With a cluster: each director as this agent last heard it. */
  cluster?: ClusterFigures;
}

export interface ClusterFigures {
  cluster: string;
  self: string;
  members: Array<{
    director: string;
    /** Answered the last poll (this director always). */
    reachable: boolean;
    /** Seconds since it was last heard from; null when never. */
    lastHeardSeconds: number | null;
    /** Revisions behind the newest one known; null when unknown. */
    lag: number | null;
    vrrp: Array<{ instance: string; state: string }>;
  }>;
}

/** Every VRRP state a series is written for, so an alert sees a state turn 0 as well as 1. */
const VRRP_METRIC_STATES = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'UNKNOWN'] as const;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const parts = Object.entries(pairs).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

class Family {
  readonly lines: string[] = [];
  constructor(readonly name: string, readonly type: 'counter' | 'gauge' | 'histogram', readonly help: string) {}
  add(labelPairs: Record<string, string>, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labels(labelPairs)} ${number(value)}`);
  }
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines].join('\n');
  }
}

const COUNTER_FIELDS: Array<{ field: keyof Counters; name: string; help: string }> = [
  { field: 'conns', name: 'connections_total', help: 'Connections scheduled (IPVS conns counter).' },
  { field: 'inPkts', name: 'packets_in_total', help: 'Packets from clients.' },
  { field: 'outPkts', name: 'packets_out_total', help: 'Packets to clients.' },
  { field: 'inBytes', name: 'bytes_in_total', help: 'Bytes from clients.' },
  { field: 'outBytes', name: 'bytes_out_total', help: 'Bytes to clients.' },
];

export function renderMetrics(observed: ObservedTable | null, agent: AgentFigures): string {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string) => {
    const created = new Family(name, type, help);
    families.push(created);
    return created;
  };

  const serviceCounters = COUNTER_FIELDS.map((c) => ({ ...c, family: family(`lvs_service_${c.name}`, 'counter', c.help) }));
  const destCounters = COUNTER_FIELDS.map((c) => ({ ...c, family: family(`lvs_destination_${c.name}`, 'counter', c.help) }));
  const active = family('lvs_destination_active_connections', 'gauge', 'Active (established) connections.');
  const inactive = family('lvs_destination_inactive_connections', 'gauge', 'Inactive connections (other states).');
  const persistent = family('lvs_destination_persistent_connections', 'gauge', 'Persistence templates pointing at the destination.');
  const weight = family('lvs_destination_weight', 'gauge', 'Configured weight (0 = quiescent).');

  for (const svc of observed?.services ?? []) {
    const svcLabels = { service: serviceId(svc.key), scheduler: svc.scheduler };
    for (const c of serviceCounters) c.family.add(svcLabels, svc.stats[c.field]);
    for (const dest of svc.destinations) {
      const destLabels = { service: serviceId(svc.key), destination: destinationId(dest), forwarding: dest.forwarding };
      for (const c of destCounters) c.family.add(destLabels, dest.stats[c.field]);
      active.add(destLabels, dest.activeConns);
      inactive.add(destLabels, dest.inactiveConns);
      persistent.add(destLabels, dest.persistentConns);
      weight.add(destLabels, dest.weight);
    }
  }

  family('lvs_console_info', 'gauge', 'Agent version and kernel backend.').add({ version: agent.version, backend: agent.backend }, 1);
  family('lvs_console_desired_revision', 'gauge', 'Revision of the desired state.').add({}, agent.revision);
  family('lvs_console_drift_changes', 'gauge', 'Differences between the kernel and the desired state at the last check.').add({}, agent.driftChanges);
  const commits = family('lvs_console_commits_total', 'counter', 'Changes committed, by result.');
  commits.add({ result: 'ok' }, agent.commitsOk);
  commits.add({ result: 'failed' }, agent.commitsFailed);
  commits.add({ result: 'rejected' }, agent.rejected);
  const histogram = family('lvs_console_apply_duration_seconds', 'histogram', 'Time the kernel took to apply a plan.');
  agent.applyDuration.buckets.forEach((bound, i) => histogram.add({ le: number(bound) }, agent.applyDuration.counts[i] ?? 0, '_bucket'));
  histogram.add({ le: '+Inf' }, agent.applyDuration.count, '_bucket');
  histogram.add({}, agent.applyDuration.sum, '_sum');
  histogram.add({}, agent.applyDuration.count, '_count');
  if (agent.observationAgeSeconds !== null) {
    family('lvs_console_observation_age_seconds', 'gauge', 'Age of the kernel observation these figures come from.').add({}, agent.observationAgeSeconds);
  }
  family('lvs_console_sample_duration_seconds', 'gauge', 'Time the last counter sample took.').add({}, agent.samplerDurationSeconds);

  if (agent.cluster) {
    const { cluster, self } = agent.cluster;
    const vrrp = family('lvs_vrrp_state', 'gauge', 'VRRP state of each instance on each director (1 for the current state), as this agent last heard it.');
    const reachable = family('lvs_cluster_peer_reachable', 'gauge', 'Whether the director answered this agent\'s last status poll.');
    const heard = family('lvs_cluster_peer_last_heard_seconds', 'gauge', 'Seconds since this agent last heard from the director.');
    const lag = family('lvs_cluster_revision_lag', 'gauge', 'Revisions the director\'s desired state is behind the newest one known.');
    for (const member of agent.cluster.members) {
      const who = { cluster, director: member.director, observer: self };
      reachable.add(who, member.reachable ? 1 : 0);
      if (member.lastHeardSeconds !== null) heard.add(who, member.lastHeardSeconds);
      if (member.lag !== null) lag.add(who, member.lag);
      for (const instance of member.vrrp) {
        for (const state of VRRP_METRIC_STATES) vrrp.add({ ...who, instance: instance.instance, state }, instance.state === state ? 1 : 0);
      }
    }
  }

  return `${families.map((f) => f.render()).join('\n')}\n`;
}
