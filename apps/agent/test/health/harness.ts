// Health wired to a real kernel backend the way the reconcile loop wires it:
// on every change, plan effectiveTable(desired, snapshot, now) against the
// kernel and apply. Time is a ManualTimers shared with the sim backend.
import { serviceId, type DesiredState, type ObservedDestination } from '@lvs-console/shared';
import { applyEffectiveTable } from '../../src/health/apply';
import { HealthManager, type HealthManagerOptions } from '../../src/health/manager';
import { ManualTimers } from '../../src/health/timers';
import { SimBackend } from '../../src/kernel/sim';

export class HealthHarness {
  readonly timers = new ManualTimers();
  readonly backend: SimBackend;
  readonly manager: HealthManager;
  desired: DesiredState;
  private syncing: Promise<unknown> = Promise.resolve();
  applies = 0;

  constructor(desired: DesiredState, options: Omit<HealthManagerOptions, 'timers'> = {}, backend?: SimBackend) {
    this.desired = desired;
    this.backend = backend ?? new SimBackend({ clock: { now: () => this.timers.now() }, startAt: this.timers.now(), seed: 7 });
    this.manager = new HealthManager({ timers: this.timers, random: () => 0, ...options });
    this.manager.onChange(() => {
      this.syncing = this.syncing.then(() => this.sync());
    });
  }

  async start(): Promise<void> {
    this.manager.setDesired(this.desired);
    await this.sync();
  }

  async setDesired(desired: DesiredState): Promise<void> {
    this.desired = desired;
    this.manager.setDesired(desired);
    await this.settle();
  }

  async sync(): Promise<void> {
    this.applies++;
    const result = await applyEffectiveTable(this.backend, this.desired, this.manager.snapshot(), this.timers.now());
    const failed = result.results.filter((r) => !r.ok);
    if (failed.length) throw new Error(`kernel refused: ${failed.map((r) => r.error).join('; ')}`);
  }

  async settle(): Promise<void> {
    await this.manager.idle();
    await this.syncing;
  }

  /** Move time: probes due in between run for real; the sim kernel follows. */
  async advance(ms: number): Promise<void> {
    await this.timers.advance(ms, async () => {
      this.backend.advanceTo(this.timers.now());
      await this.settle();
    });
    this.backend.advanceTo(this.timers.now());
    await this.settle();
  }

  async kernelDestinations(service = this.desired.services[0]): Promise<Record<string, number>> {
    if (!service) throw new Error('no service');
    const id = serviceId(service.key);
    const observed = (await this.backend.observe()).services.find((s) => serviceId(s.key) === id);
    return Object.fromEntries((observed?.destinations ?? []).map((d: ObservedDestination) => [`${d.address}:${d.port}`, d.weight]));
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.backend.close();
  }
}
