// Desired state -> keepalived.conf that keepalived 2.2 accepts and that means
// the same: reading it back (readKeepalivedConf) gives the same state for
// everything keepalived can express. What it cannot express (drains, slow
// start, rise > 1, host settings, ...) is written as a `#` comment where it
// belongs, so nothing is lost without a word.
import { ipv4PrefixMask } from '../model/address';
import { destinationId, serviceLabel } from '../model/keys';
import type { DesiredState, Destination, Service, SyncDaemon, TunnelOptions } from '../model/ipvs';
import type { HealthCheck, ServiceHealth } from '../model/health';
import { mergeByDirector, renderPairInstances } from '../ha/keepalived-vrrp';
import { formatSeconds, quoteWord } from './values';

const INDENT = '    ';

class Writer {
  private readonly lines: string[] = [];

  line(depth: number, text: string): void {
    this.lines.push(`${INDENT.repeat(depth)}${text}`);
  }

  comment(depth: number, text: string): void {
    for (const part of text.split('\n')) this.line(depth, `# ${part}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function methodWords(dest: Pick<Destination, 'forwarding' | 'tunnel'>): string {
  if (dest.forwarding === 'masq') return 'NAT';
  if (dest.forwarding === 'route') return 'DR';
  const tunnel: TunnelOptions | undefined = dest.tunnel;
  if (!tunnel) return 'TUN';
  const words = ['TUN', 'type', tunnel.type];
  if (tunnel.type === 'gue' && tunnel.port !== undefined) words.push('port', String(tunnel.port));
  // ipip takes no checksum option; keepalived refuses one.
  if (tunnel.type !== 'ipip' && tunnel.checksum) words.push(tunnel.checksum);
  return words.join(' ');
}

function hexOf(payload: { encoding: 'utf8' | 'hex'; text: string }): string {
  if (payload.encoding === 'hex') return payload.text.toLowerCase();
  // UTF-8 by hand: the pure core has no TextEncoder in its lib.
  let hex = '';
  for (const char of payload.text) {
    const code = char.codePointAt(0) ?? 0;
    const bytes =
      code < 0x80
        ? [code]
        : code < 0x800
          ? [0xc0 | (code >> 6), 0x80 | (code & 0x3f)]
          : code < 0x10000
            ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            : [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** argv as one misc_path word: keepalived splits the (double-quoted) word again, honouring '…' and backslashes. */
function miscPath(program: string, args: readonly string[]): string {
  const inner = [program, ...args].map((arg) => (arg !== '' && !/[\s'"\\]/.test(arg) ? arg : `'${arg.replace(/['\\]/g, '\\$&')}'`)).join(' ');
  return `"${inner.replace(/["\\]/g, '\\$&')}"`;
}

function regexFor(match: NonNullable<Extract<HealthCheck, { kind: 'http' }>['bodyMatch']>): string {
  return match.kind === 'regex' ? match.text : match.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function statusWords(ranges: ReadonlyArray<{ min: number; max: number }>): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(' ');
}

function writeCheck(w: Writer, depth: number, check: HealthCheck): void {
  const notes: string[] = [];
  if (check.rise !== 1) notes.push(`rise ${check.rise}: keepalived brings a server up on its first successful check`);
  const type = { tcp: 'TCP_CHECK', http: 'HTTP_GET', https: 'SSL_GET', udp: 'UDP_CHECK', dns: 'DNS_CHECK', command: 'MISC_CHECK' }[check.kind];
  for (const note of notes) w.comment(depth, note);
  w.line(depth, `${type} {`);
  const inner = depth + 1;
  if (check.kind !== 'command') {
    if (check.target.address !== undefined) w.line(inner, `connect_ip ${check.target.address}`);
    if (check.target.port !== undefined) w.line(inner, `connect_port ${check.target.port}`);
    w.line(inner, `connect_timeout ${formatSeconds(check.timeoutMs)}`);
  } else if (check.target.address !== undefined || check.target.port !== undefined) {
    w.comment(inner, 'the check target is not passed to MISC_CHECK programs');
  }
  w.line(inner, `delay_loop ${formatSeconds(check.intervalMs)}`);
  w.line(inner, `retry ${check.fall - 1}`);
  // The console probes again one interval after a failure.
  w.line(inner, `delay_before_retry ${formatSeconds(check.intervalMs)}`);
  if (check.warmupMs !== undefined) w.line(inner, `warmup ${formatSeconds(check.warmupMs)}`);
  switch (check.kind) {
    case 'http':
    case 'https': {
      if (check.kind === 'https' && check.verifyTls) w.comment(inner, 'verifyTls: keepalived does not verify the server certificate');
      w.line(inner, 'url {');
      w.line(inner + 1, `path ${quoteWord(check.path)}`);
      w.line(inner + 1, `status_code ${statusWords(check.expectStatus)}`);
      if (check.host !== undefined) w.line(inner + 1, `virtualhost ${quoteWord(check.host)}`);
      if (check.bodyMatch) w.line(inner + 1, `regex ${quoteWord(regexFor(check.bodyMatch))}`);
      w.line(inner, '}');
      break;
    }
    case 'udp': {
      const payload = hexOf(check.payload);
      if (payload === '') w.comment(inner, 'empty payload: keepalived sends random bytes when no payload is given');
      else w.line(inner, `payload ${payload}`);
      if (check.requireReply) w.line(inner, `require_reply${check.expect ? ` ${hexOf(check.expect)}` : ''}`);
      else if (check.expect) w.comment(inner, `expect ${hexOf(check.expect)} without requireReply is not used`);
      break;
    }
    case 'dns': {
      w.line(inner, `type ${check.recordType}`);
      w.line(inner, `name ${quoteWord(check.name)}`);
      if (check.expectAddresses?.length) w.comment(inner, `expectAddresses ${check.expectAddresses.join(' ')}: keepalived does not compare the answers`);
      break;
    }
    case 'command': {
      w.line(inner, `misc_path ${miscPath(check.program, check.args)}`);
      // keepalived's misc_timeout is whole seconds; interval - 1 ms is how an unset one reads back.
      if (check.timeoutMs !== check.intervalMs - 1) w.line(inner, `misc_timeout ${Math.ceil(check.timeoutMs / 1000)}`);
      if (check.timeoutMs % 1000 !== 0 && check.timeoutMs !== check.intervalMs - 1)
        w.comment(inner, `timeout ${check.timeoutMs} ms rounded up to whole seconds`);
      if (check.dynamicWeight) w.line(inner, 'misc_dynamic');
      if (check.expectExitCode !== 0 && !check.dynamicWeight)
        w.comment(inner, `expectExitCode ${check.expectExitCode}: keepalived counts only exit 0 as healthy`);
      break;
    }
    case 'tcp':
      break;
  }
  w.line(depth, '}');
}

function serviceHeader(service: Service): string {
  const key = service.key;
  if (key.kind === 'fwmark') return `virtual_server fwmark ${key.fwmark}`;
  return `virtual_server ${key.address}${key.port === 0 ? '' : ` ${key.port}`}`;
}

function endpoint(service: Service, dest: Pick<Destination, 'address' | 'port'>): string {
  return dest.port === 0 || (service.key.kind === 'fwmark' && dest.port === 0) ? dest.address : `${dest.address} ${dest.port}`;
}

function writeService(w: Writer, service: Service): void {
  const key = service.key;
  if (service.destinations.length === 0) {
    w.comment(0, `${serviceLabel(key)} has no real servers: keepalived ignores such a virtual_server, so it is left out`);
    w.line(0, '');
    return;
  }
  const health: ServiceHealth | undefined = service.health;
  const checking = health?.enabled === true;
  w.line(0, `${serviceHeader(service)} {`);
  if (key.kind === 'fwmark') w.line(1, `ip_family ${key.family}`);
  else w.line(1, `protocol ${key.protocol.toUpperCase()}`);
  w.line(1, `lvs_sched ${service.scheduler}`);
  for (const flag of service.flags) w.line(1, flag);
  if (service.onePacket) w.line(1, 'ops');
  const first = health?.sorryServer ?? service.destinations[0];
  if (first) w.line(1, `lvs_method ${methodWords(first)}`);
  if (service.persistence) {
    const p = service.persistence;
    w.line(1, `persistence_timeout ${p.timeout}`);
    if (p.netmaskPrefix !== undefined) {
      w.line(
        1,
        `persistence_granularity ${key.kind === 'fwmark' ? (key.family === 'inet' ? ipv4PrefixMask(p.netmaskPrefix) : p.netmaskPrefix) : key.address.includes(':') ? p.netmaskPrefix : ipv4PrefixMask(p.netmaskPrefix)}`,
      );
    }
    if (p.engine) w.line(1, `persistence_engine ${p.engine}`);
  }
  if (health && !health.enabled) w.comment(1, 'health checks are off in the console: no checkers are written, every real server counts as up');
  if (checking && health) writePoolRules(w, service, health);
  for (const dest of service.destinations) {
    w.line(1, `real_server ${endpoint(service, dest)} {`);
    w.line(2, `weight ${dest.weight}`);
    w.line(2, `lvs_method ${methodWords(dest)}`);
    if (dest.upperThreshold !== 0) w.line(2, `uthreshold ${dest.upperThreshold}`);
    if (dest.lowerThreshold !== 0) w.line(2, `lthreshold ${dest.lowerThreshold}`);
    const id = destinationId(dest);
    const drain = health?.drains[id];
    if (drain)
      w.comment(
        2,
        `draining in the console since ${new Date(drain.startedAt).toISOString()}${drain.removeWhenDrained ? ' (to be removed when drained)' : ''}: keepalived has no drain; the configured weight is written`,
      );
    if (checking && health) {
      const override = health.destinations[id];
      const checks = override?.disabled ? [] : (override?.checks ?? health.checks);
      if (override?.disabled) w.comment(2, 'health checks disabled for this real server: it always counts as up');
      // The console's "no checks" means a TCP connect to the server itself.
      const written =
        checks.length > 0
          ? checks
          : override?.disabled
            ? []
            : [{ kind: 'tcp', intervalMs: 5000, timeoutMs: 2000, rise: 2, fall: 3, target: {} } satisfies HealthCheck];
      for (const check of written) writeCheck(w, 2, check);
    }
    w.line(1, '}');
  }
  w.line(0, '}');
  w.line(0, '');
}

function writePoolRules(w: Writer, service: Service, health: ServiceHealth): void {
  if (health.onFailure === 'quiesce') w.line(1, 'inhibit_on_failure');
  if (health.alpha) w.line(1, 'alpha');
  const weightSum = service.destinations.reduce((sum, d) => sum + d.weight, 0);
  if (health.quorum !== 1) w.line(1, `quorum ${health.quorum}`);
  if (health.quorum > weightSum) w.comment(1, `quorum ${health.quorum} is above the total weight ${weightSum}: keepalived lowers it to ${weightSum}`);
  if (health.hysteresis !== 0) w.line(1, `hysteresis ${health.hysteresis}`);
  if (health.hysteresis >= health.quorum) w.comment(1, `hysteresis ${health.hysteresis} is not below quorum: keepalived lowers it to ${health.quorum - 1}`);
  const sorry = health.sorryServer;
  if (sorry) {
    w.line(1, `sorry_server ${endpoint(service, sorry)}`);
    w.line(1, `sorry_server_lvs_method ${methodWords(sorry)}`);
    if (sorry.weight !== 1 || sorry.upperThreshold !== 0 || sorry.lowerThreshold !== 0) {
      w.comment(
        1,
        `sorry server weight ${sorry.weight} / thresholds ${sorry.upperThreshold}/${sorry.lowerThreshold}: keepalived uses weight 1 without thresholds`,
      );
    }
    if (!health.sorryServerReplaces) w.comment(1, 'sorryServerReplaces off: keepalived always takes the real servers out while the sorry server serves');
  }
  if (health.slowStart) w.comment(1, `slow start over ${health.slowStart.durationMs} ms in ${health.slowStart.steps} steps: keepalived has no slow start`);
  if (health.historySize !== 30) w.comment(1, `historySize ${health.historySize}: a console setting`);
}

function writeGlobals(w: Writer, state: DesiredState): void {
  const lines: string[] = [];
  const t = state.timeouts;
  if (t) {
    const parts = [t.tcp ? `tcp ${t.tcp}` : '', t.tcpFin ? `tcpfin ${t.tcpFin}` : '', t.udp ? `udp ${t.udp}` : ''].filter(Boolean);
    if (parts.length) lines.push(`lvs_timeouts ${parts.join(' ')}`);
  }
  if (
    state.services.some(
      (service) =>
        service.health?.enabled &&
        Object.values(service.health.destinations)
          .concat([{ checks: service.health.checks, disabled: false }])
          .some((d) => d.checks?.some((c) => c.kind === 'command')),
    )
  ) {
    // keepalived refuses to run check scripts without script security; the console runs them as the agent's user (root on a director).
    lines.push('script_user root', 'enable_script_security');
  }
  const ha = state.ha;
  if (ha) {
    lines.push(...mergeByDirector(ha.directors.map((d) => [d.name, [`router_id ${d.name}`]] as const)));
    if (ha.sync) {
      // keepalived runs the sync daemon as master or backup with the instance's VRRP state, as the agent does.
      const follows = ha.sync.instance ?? ha.instances[0]?.name ?? '';
      lines.push(`lvs_sync_daemon ${ha.sync.interface} ${follows} id ${ha.sync.syncId}`);
    }
  }
  const sync = ha?.sync
    ? {
        notes: state.syncDaemons.length
          ? ["syncDaemons: the pair's sync daemon (ha.sync) is the one keepalived runs; the separately set daemons are not written"]
          : [],
      }
    : syncDaemonLine(state.syncDaemons);
  if (sync.line) lines.push(sync.line);
  for (const note of sync.notes) lines.push(`# ${note}`);
  if (lines.length === 0) return;
  w.line(0, 'global_defs {');
  for (const line of lines) w.line(1, line);
  w.line(0, '}');
  w.line(0, '');
}

/** keepalived runs both sync daemons from one lvs_sync_daemon line: only an identical master/backup pair is expressible. */
function syncDaemonLine(daemons: readonly SyncDaemon[]): { line?: string; notes: string[] } {
  if (daemons.length === 0) return { notes: [] };
  const master = daemons.find((d) => d.state === 'master');
  const backup = daemons.find((d) => d.state === 'backup');
  const describe = (d: SyncDaemon) => `${d.state} on ${d.interface} id ${d.syncId}`;
  const same = master && backup && JSON.stringify({ ...master, state: '' }) === JSON.stringify({ ...backup, state: '' });
  const source = master ?? backup;
  if (!source) return { notes: [] };
  const words = [`lvs_sync_daemon ${source.interface}`, `id ${source.syncId}`];
  if (source.maxLength !== undefined) words.push(`maxlen ${source.maxLength}`);
  if (source.port !== undefined) words.push(`port ${source.port}`);
  if (source.ttl !== undefined) words.push(`ttl ${source.ttl}`);
  if (source.group !== undefined) words.push(`group ${source.group}`);
  if (same) return { line: words.join(' '), notes: [] };
  return {
    notes: [
      `sync daemons ${daemons.map(describe).join(', ')}: keepalived runs master and backup together from one lvs_sync_daemon line`,
      `(the line for the ${source.state}: ${words.join(' ')})`,
    ],
  };
}

function writeHostSettings(w: Writer, state: DesiredState): void {
  if (state.hostSettings.length === 0) return;
  w.comment(0, 'Host settings the console applies (keepalived does not manage these):');
  for (const s of state.hostSettings) {
    const what =
      s.kind === 'sysctl'
        ? `sysctl ${s.name}=${s.value}`
        : s.kind === 'address'
          ? `address ${s.address}/${s.prefixLength} on ${s.interface}`
          : s.kind === 'module'
            ? `kernel module ${s.name}`
            : `source NAT for ${serviceLabel(s.service)} from ${s.sourceAddress}`;
    w.comment(0, `  ${what}${s.reason ? ` (${s.reason})` : ''}`);
  }
  w.line(0, '');
}

/** The keepalived.conf text for a desired state. */
export function writeKeepalivedConf(state: DesiredState, options: { header?: string } = {}): string {
  const w = new Writer();
  w.comment(0, options.header ?? 'keepalived.conf written by LVS Console (for keepalived 2.2).');
  w.line(0, '');
  writeGlobals(w, state);
  writeHostSettings(w, state);
  for (const service of state.services) writeService(w, service);
  if (state.ha) {
    w.comment(
      0,
      `VRRP for the pair ${state.ha.directors.map((d) => d.name).join(', ')}: each director runs keepalived -i NAME, which reads the @NAME lines that are its own.`,
    );
    for (const line of renderPairInstances({ services: state.services, ha: state.ha })) w.line(0, line);
  }
  return w.text();
}
