// keepalived as the agent's VRRP engine. The agent writes a configuration
// holding only global_defs and vrrp_instance blocks, starts keepalived as a
// daemon of its own (so restarting the agent never moves the VIPs), reloads
// it with SIGHUP when the pair changes, and learns each instance's state
// from keepalived's notify FIFO. When keepalived dies it leaves its VIPs on
// the interface: the agent deletes them (so two directors never answer ARP
// for one VIP) and starts keepalived again.
import { execFile } from 'node:child_process';
import { constants, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DesiredState, VrrpState } from '@lvs-console/shared';
import { VRRP_STATES, familyOf } from '@lvs-console/shared';
import { HOLD_VALUES, instanceAddresses, parseNotifyLine, renderVrrpConfig } from '@lvs-console/shared/ha';
import type { Clock } from '../config/clock';
import type { Logger } from '../log';
import { writeFileAtomic } from '../store/atomic-file';
import type { HoldLevel, VrrpEngine, VrrpInstanceStatus } from './vrrp';

const run = promisify(execFile);

const PROGRAM_PATHS = ['/usr/sbin/keepalived', '/usr/local/sbin/keepalived', '/sbin/keepalived'];
/** How long a keepalived just started has to write its pid file before it counts as dead. */
const START_GRACE_MS = 10_000;
export const KEEPALIVED_MISSING =
  "keepalived is not installed: install Debian's package (apt-get install keepalived); the pair's VIPs are not moved until then";

export interface KeepalivedOptions {
  self: string;
  /** Directory for keepalived.conf, the FIFO, the hold file and pid files (inside the state directory). */
  dir: string;
  clock: Clock;
  log: Logger;
  /** Tests: the program to run. */
  program?: string;
  /** Milliseconds between liveness checks of the daemon. */
  watchIntervalMs?: number;
}

export async function createKeepalivedEngine(options: KeepalivedOptions): Promise<VrrpEngine> {
  const program = options.program ?? PROGRAM_PATHS.find((path) => existsSync(path)) ?? null;
  const engine = new KeepalivedEngine(options, program);
  await engine.prepare();
  return engine;
}

interface InstanceInfo {
  name: string;
  interface: string;
  addresses: string[];
  state: VrrpState;
  priority: number | null;
  since: number;
}

export class KeepalivedEngine implements VrrpEngine {
  readonly kind = 'keepalived' as const;
  private instances = new Map<string, InstanceInfo>();
  private listeners = new Set<() => void>();
  private fifo: Socket | null = null;
  private buffered = '';
  private configText: string | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private restartAt = 0;
  private restartDelayMs = 1000;
  private startGraceUntil = 0;
  private checking = false;
  private level: HoldLevel = 'none';
  private lastProblem: string | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private readonly paths: { conf: string; fifo: string; hold: string; pid: string; vrrpPid: string };

  constructor(
    private readonly opts: KeepalivedOptions,
    private readonly program: string | null,
  ) {
    this.paths = {
      conf: join(opts.dir, 'keepalived.conf'),
      fifo: join(opts.dir, 'vrrp.fifo'),
      hold: join(opts.dir, 'hold'),
      pid: join(opts.dir, 'keepalived.pid'),
      vrrpPid: join(opts.dir, 'vrrp.pid'),
    };
    if (!program) this.lastProblem = KEEPALIVED_MISSING;
  }

  get problem(): string | null {
    return this.lastProblem;
  }

  get holdLevel(): HoldLevel {
    return this.level;
  }

  /** Directory, FIFO and hold file; attach to a keepalived left running by an earlier agent. */
  async prepare(): Promise<void> {
    if (!this.program) return;
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    if (!existsSync(this.paths.fifo)) await run('mkfifo', ['-m', '0600', this.paths.fifo]);
    // Read and write: the FIFO never reports end-of-file when keepalived restarts.
    const fd = openSync(this.paths.fifo, constants.O_RDWR | constants.O_NONBLOCK);
    this.fifo = new Socket({ fd, readable: true, writable: false });
    this.fifo.setEncoding('utf8');
    this.fifo.on('data', (chunk: string) => this.onFifo(chunk));
    this.fifo.on('error', (error) => this.opts.log.warn({ err: error }, 'keepalived FIFO read failed'));
    const hold = await readFile(this.paths.hold, 'utf8').catch(() => '0');
    this.level = Number(hold.trim()) < 0 ? 'handover' : 'none';
    this.configText = await readFile(this.paths.conf, 'utf8').catch(() => null);
  }

  private onFifo(chunk: string): void {
    this.buffered = (this.buffered + chunk).slice(-65_536);
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    let changed = false;
    for (const line of lines) {
      const parsed = parseNotifyLine(line);
      if (parsed?.kind !== 'INSTANCE') continue;
      const info = this.instances.get(parsed.name);
      const state = (VRRP_STATES as readonly string[]).includes(parsed.state) ? (parsed.state as VrrpState) : 'UNKNOWN';
      if (!info) continue;
      if (info.state !== state || info.priority !== parsed.priority) {
        if (info.state !== state) info.since = this.opts.clock.now();
        info.state = state;
        info.priority = parsed.priority;
        changed = true;
      }
    }
    if (changed) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  async configure(desired: DesiredState): Promise<void> {
    if (!this.program) return;
    const ha = desired.ha;
    const mine = ha?.instances.filter((instance) => instance.priorities[this.opts.self] !== undefined) ?? [];
    if (!ha || mine.length === 0) {
      await this.stopDaemon();
      this.instances.clear();
      this.configText = null;
      this.emit();
      return;
    }
    const addresses = instanceAddresses({ services: desired.services, ha });
    const previous = this.instances;
    this.instances = new Map(
      mine.map((instance) => [
        instance.name,
        previous.get(instance.name) ?? {
          name: instance.name,
          interface: instance.interface,
          addresses: [],
          state: 'UNKNOWN',
          priority: null,
          since: this.opts.clock.now(),
        },
      ]),
    );
    for (const instance of mine) {
      const info = this.instances.get(instance.name);
      if (info) {
        info.interface = instance.interface;
        info.addresses = addresses.get(instance.name) ?? [];
      }
    }
    const text = renderVrrpConfig(desired, { self: this.opts.self, notifyFifo: this.paths.fifo, holdFile: this.paths.hold });
    const running = await this.runningPid();
    if (text === this.configText && running !== null) return;
    await writeFileAtomic(this.paths.conf, text, { durable: false });
    this.configText = text;
    if (running !== null) {
      this.opts.log.info({ pid: running }, 'keepalived: configuration changed, reloading (SIGHUP)');
      process.kill(running, 'SIGHUP');
    } else {
      await this.startDaemon();
    }
    this.watch();
  }

  private async startDaemon(): Promise<void> {
    if (!this.program) return;
    // It writes its pid file after it has gone to the background: give it time before judging it dead.
    this.startGraceUntil = this.opts.clock.now() + START_GRACE_MS;
    try {
      // Daemonized (not a child of the agent): an agent restart leaves VRRP alone.
      await run(
        this.program,
        ['--vrrp', '--use-file', this.paths.conf, '--pid', this.paths.pid, '--vrrp_pid', this.paths.vrrpPid, '--no-syslog', '--log-detail'],
        { timeout: 20_000 },
      );
      this.lastProblem = null;
      this.restartDelayMs = 1000;
      this.opts.log.info('keepalived started (VRRP only)');
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      this.lastProblem = `keepalived did not start: ${stderr || (error instanceof Error ? error.message : String(error))}`;
      this.opts.log.error({ err: error }, this.lastProblem);
    }
  }

  private async pidFrom(path: string): Promise<number | null> {
    const text = await readFile(path, 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) return null;
    try {
      process.kill(pid, 0);
    } catch {
      return null;
    }
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    return comm.trim() === 'keepalived' ? pid : null;
  }

  /**
   * The parent keepalived's pid while it lives. Its VRRP child is its own
   * business: the parent respawns a child that dies, and a child whose
   * parent dies stops too. (Judging by the child as well restarted a healthy
   * keepalived whose new child had not yet written its pid file.)
   */
  private async runningPid(): Promise<number | null> {
    return this.pidFrom(this.paths.pid);
  }

  private watch(): void {
    if (this.watchTimer) return;
    this.watchTimer = setInterval(() => void this.checkAlive(), this.opts.watchIntervalMs ?? 1000);
    this.watchTimer.unref();
  }

  /** One liveness check at a time: a slow start must not be taken for a death and started twice. */
  private async checkAlive(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.checkAliveOnce();
    } finally {
      this.checking = false;
    }
  }

  private async checkAliveOnce(): Promise<void> {
    const now = this.opts.clock.now();
    if (this.configText === null || now < this.startGraceUntil || (await this.runningPid()) !== null) return;
    if (this.instances.size && [...this.instances.values()].some((i) => i.state !== 'STOP')) {
      this.opts.log.error('keepalived is not running: removing the VIPs it left behind, starting it again');
      await this.releaseAddresses();
      for (const info of this.instances.values()) {
        info.state = 'STOP';
        info.since = now;
      }
      this.lastProblem = 'keepalived stopped unexpectedly; the agent removed its VIPs and is starting it again';
      this.emit();
      this.restartAt = now;
    }
    if (now >= this.restartAt) {
      await this.startDaemon();
      this.restartAt = now + this.restartDelayMs;
      this.restartDelayMs = Math.min(this.restartDelayMs * 2, 30_000);
    }
  }

  /** Delete the instances' VIPs from their interfaces (keepalived died holding them). */
  private async releaseAddresses(): Promise<void> {
    for (const info of this.instances.values()) {
      for (const address of info.addresses) {
        const prefix = familyOf(address) === 'inet6' ? 128 : 32;
        await run('ip', ['addr', 'del', `${address}/${prefix}`, 'dev', info.interface]).catch(() => undefined);
      }
    }
  }

  private async stopDaemon(): Promise<void> {
    const pid = await this.runningPid();
    if (pid !== null) process.kill(pid, 'SIGTERM');
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  status(): VrrpInstanceStatus[] {
    return [...this.instances.values()].map((i) => ({ instance: i.name, state: i.state, priority: i.priority, since: i.since, addresses: [...i.addresses] }));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hand the VIPs over: FAULT at once (keepalived sends a priority-0 advert,
   * so the peer takes over without waiting), then priority 1 so this
   * director stays a BACKUP that does not take them back. `none` restores it.
   */
  async hold(level: HoldLevel): Promise<void> {
    if (!this.program) throw new Error(KEEPALIVED_MISSING);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.level = level;
    if (level === 'none') {
      await writeFile(this.paths.hold, `${HOLD_VALUES.none}\n`);
      return;
    }
    await writeFile(this.paths.hold, `${HOLD_VALUES.fault}\n`);
    this.holdTimer = setTimeout(() => {
      if (this.level === 'handover') void writeFile(this.paths.hold, `${HOLD_VALUES.lowest}\n`);
    }, 3000);
    this.holdTimer.unref();
  }

  /** The agent stops; keepalived keeps the VIPs where they are. */
  close(): Promise<void> {
    if (this.watchTimer) clearInterval(this.watchTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.fifo?.destroy();
    this.listeners.clear();
    return Promise.resolve();
  }
}
