// A plan shown as the ipvsadm lines that would run ("these lines will run"):
// restore-format lines for table changes, full commands for the rest.
import { renderDestinationCommand, renderServiceCommand, setTimeoutsArgv, startDaemonArgv, stopDaemonArgv } from '../ipvsadm/render';
import type { Change } from './change';

/** The line for one change, in the form `ipvsadm -R` reads (timeouts and daemons as ipvsadm arguments). */
export function changeLine(change: Change): string {
  switch (change.kind) {
    case 'add-service':
      return renderServiceCommand('-A', change.service);
    case 'edit-service':
      return renderServiceCommand('-E', change.to);
    case 'delete-service':
      return renderServiceCommand('-D', change.service);
    case 'add-destination':
      return renderDestinationCommand('-a', change.service, change.destination);
    case 'edit-destination':
      return renderDestinationCommand('-e', change.service, change.to);
    case 'delete-destination':
      return renderDestinationCommand('-d', change.service, change.destination);
    case 'set-timeouts':
      return setTimeoutsArgv(change.to).join(' ');
    case 'start-daemon':
      return startDaemonArgv(change.daemon).join(' ');
    case 'stop-daemon':
      return stopDaemonArgv(change.daemon.state).join(' ');
  }
}

/** The whole plan as command lines an operator could type (`ipvsadm ...`). */
export function renderPlan(changes: readonly Change[]): string[] {
  return changes.map((change) => `ipvsadm ${changeLine(change)}`);
}
