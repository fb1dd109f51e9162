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
  /** Destination lists the 1 Hz sampler has read from the kernel since the start (it keeps the lists of quiet services). */
  sampleDestinationReads?: number;
  /** Destination lists every read of the kernel has listed since the start (samples, plans, reads after applies). */
  kernelDestinationReads?: number;
  /** Sampler ticks skipped because a commit was waiting for the kernel. */
  samplesSkipped?: number;
  /** Drift checks since the start: answered by the 1 Hz sample (nothing new) or by a full read of the kernel. */
  driftChecks?: { sample: number; kernel: number };
  /** With a cluster: each director as this agent last heard it. */
  cluster?: ClusterFigures;
  /** When the current drift was first seen (epoch ms); null without drift. */
  driftSince?: number | null;
  /** The last change the agent applied to the kernel, or null before the first. */
  lastApply?: { ok: boolean; at: number } | null;
  /** Health-checked services: destination health, weights, drains, quorum. */
  health?: HealthFigures;
}

/** What the health manager knows, per health-checked service (times are epoch ms). */
export interface HealthFigures {
  services: Array<{
    service: string;
    quorumUp: boolean;
    /** When quorum last changed; null when it never did. */
    quorumChangedAt: number | null;
    sorryServer: string | null;
    sorryServerActive: boolean;
    destinations: Array<{
      destination: string;
      status: 'up' | 'down' | 'pending' | 'unchecked';
      since: number;
      configuredWeight: number;
      /** null when the destination is removed from the kernel (onFailure: remove). */
      effectiveWeight: number | null;
      draining: boolean;
      /** 0..1 of the connections at drain start gone; null when not draining. */
      drainFraction: number | null;
      /** Active + inactive connections left; null when not draining or not observed yet. */
      drainConnections: number | null;
    }>;
  }>;
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

const NEEDS_ESCAPE = /[\\"\n]/;

export function escapeLabelValue(value: string): string {
  // Most values (addresses, names) need nothing: skip three regex passes per label.
  if (!NEEDS_ESCAPE.test(value)) return value;
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
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly help: string,
  ) {}
  add(labelPairs: Record<string, string>, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labels(labelPairs)} ${number(value)}`);
  }
  /** With labels already rendered by labels(): a scrape of thousands of destinations renders each set once. */
  addLabelled(labelText: string, value: number): void {
    this.lines.push(`${this.name}${labelText} ${number(value)}`);
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
  const family: FamilyMaker = (name, type, help) => {
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
    const id = serviceId(svc.key);
    for (const dest of svc.destinations) {
      const destLabels = labels({ service: id, destination: destinationId(dest), forwarding: dest.forwarding });
      for (const c of destCounters) c.family.addLabelled(destLabels, dest.stats[c.field]);
      active.addLabelled(destLabels, dest.activeConns);
      inactive.addLabelled(destLabels, dest.inactiveConns);
      persistent.addLabelled(destLabels, dest.persistentConns);
      weight.addLabelled(destLabels, dest.weight);
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
  if (agent.sampleDestinationReads !== undefined) {
    family(
      'lvs_console_sample_destination_reads_total',
      'counter',
      'Destination lists the counter sampler read from the kernel (quiet services keep theirs up to 5 s).',
    ).add({}, agent.sampleDestinationReads);
  }
  if (agent.kernelDestinationReads !== undefined) {
    family(
      'lvs_console_kernel_destination_lists_read_total',
      'counter',
      'Destination lists read from the kernel by any read: counter samples, the reads before a plan and after an apply (a scoped commit reads only its services).',
    ).add({}, agent.kernelDestinationReads);
  }
  if (agent.samplesSkipped !== undefined) {
    family('lvs_console_samples_skipped_total', 'counter', 'Counter samples skipped because a commit was waiting for the kernel.').add(
      {},
      agent.samplesSkipped,
    );
  }
  if (agent.driftChecks !== undefined) {
    const checks = family(
      'lvs_console_drift_checks_total',
      'counter',
      'Drift checks, by what answered them: the 1 Hz sample (no new drift) or a full read of the kernel.',
    );
    checks.add({ read: 'sample' }, agent.driftChecks.sample);
    checks.add({ read: 'kernel' }, agent.driftChecks.kernel);
  }
  if (agent.driftSince !== undefined && agent.driftSince !== null) {
    family('lvs_console_drift_since_timestamp_seconds', 'gauge', 'When the current drift was first seen (absent without drift).').add(
      {},
      agent.driftSince / 1000,
    );
  }
  if (agent.lastApply) {
    family('lvs_console_last_apply_success', 'gauge', 'Whether the last change applied to the kernel worked (1) or failed (0).').add(
      {},
      agent.lastApply.ok ? 1 : 0,
    );
    family('lvs_console_last_apply_timestamp_seconds', 'gauge', 'When the agent last applied changes to the kernel.').add({}, agent.lastApply.at / 1000);
  }
  if (agent.health) renderHealth(agent.health, family);

  if (agent.cluster) {
    const { cluster, self } = agent.cluster;
    const vrrp = family('lvs_vrrp_state', 'gauge', 'VRRP state of each instance on each director (1 for the current state), as this agent last heard it.');
    const reachable = family('lvs_cluster_peer_reachable', 'gauge', "Whether the director answered this agent's last status poll.");
    const heard = family('lvs_cluster_peer_last_heard_seconds', 'gauge', 'Seconds since this agent last heard from the director.');
    const lag = family('lvs_cluster_revision_lag', 'gauge', "Revisions the director's desired state is behind the newest one known.");
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

type FamilyMaker = (name: string, type: Family['type'], help: string) => Family;

function renderHealth(health: HealthFigures, family: FamilyMaker): void {
  const healthy = family(
    'lvs_destination_healthy',
    'gauge',
    'Whether the real server may get traffic by its health checks: 1 up or unchecked, 0 down or pending (alpha, before its first success).',
  );
  const since = family('lvs_destination_health_state_since_timestamp_seconds', 'gauge', 'When the real server entered its current health state.');
  const configured = family('lvs_destination_configured_weight', 'gauge', "Weight in the desired state (the operator's).");
  const effective = family('lvs_destination_effective_weight', 'gauge', 'Weight the kernel should hold after health, slow start, drains and quorum.');
  const removed = family('lvs_destination_removed', 'gauge', 'Whether health took the real server out of the kernel (onFailure: remove).');
  const draining = family('lvs_destination_draining', 'gauge', 'Whether the real server is being drained.');
  const drainDone = family('lvs_destination_drain_progress_ratio', 'gauge', 'Share (0..1) of the connections present at drain start that are gone.');
  const drainLeft = family('lvs_destination_drain_connections', 'gauge', 'Active + inactive connections left on a draining real server.');
  const quorum = family('lvs_service_quorum_up', 'gauge', 'Whether the service has quorum (healthy weight at or above the required sum).');
  const quorumSince = family('lvs_service_quorum_changed_timestamp_seconds', 'gauge', 'When quorum last changed.');
  const sorry = family('lvs_service_sorry_server_active', 'gauge', 'Whether the sorry server is in the kernel because quorum is lost.');
  for (const svc of health.services) {
    const svcLabels = { service: svc.service };
    quorum.add(svcLabels, svc.quorumUp ? 1 : 0);
    if (svc.quorumChangedAt !== null) quorumSince.add(svcLabels, svc.quorumChangedAt / 1000);
    if (svc.sorryServer !== null) sorry.add({ service: svc.service, sorry_server: svc.sorryServer }, svc.sorryServerActive ? 1 : 0);
    for (const dest of svc.destinations) {
      const destLabels = labels({ service: svc.service, destination: dest.destination });
      healthy.addLabelled(destLabels, dest.status === 'up' || dest.status === 'unchecked' ? 1 : 0);
      since.addLabelled(destLabels, dest.since / 1000);
      configured.addLabelled(destLabels, dest.configuredWeight);
      effective.addLabelled(destLabels, dest.effectiveWeight ?? 0);
      removed.addLabelled(destLabels, dest.effectiveWeight === null ? 1 : 0);
      draining.addLabelled(destLabels, dest.draining ? 1 : 0);
      if (dest.drainFraction !== null) drainDone.addLabelled(destLabels, dest.drainFraction);
      if (dest.drainConnections !== null) drainLeft.addLabelled(destLabels, dest.drainConnections);
    }
  }
}
