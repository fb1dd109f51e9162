// A plan is an ordered list of Change values: the minimal kernel operations
// that turn an observed table into the desired one.
import type { Destination, Service, ServiceKey, SyncDaemon, Timeouts } from '../model';

/** A service's own settings, without its destinations. */
export type ServiceSettings = Omit<Service, 'destinations'>;

export type Change =
  | { kind: 'add-service'; service: ServiceSettings }
  | { kind: 'edit-service'; from: ServiceSettings; to: ServiceSettings }
  | { kind: 'delete-service'; service: ServiceSettings }
  | { kind: 'add-destination'; service: ServiceKey; destination: Destination }
  | { kind: 'edit-destination'; service: ServiceKey; from: Destination; to: Destination }
  | { kind: 'delete-destination'; service: ServiceKey; destination: Destination }
  | { kind: 'set-timeouts'; from: Timeouts | null; to: Timeouts }
  | { kind: 'start-daemon'; daemon: SyncDaemon }
  | { kind: 'stop-daemon'; daemon: SyncDaemon };

export type ChangeKind = Change['kind'];
