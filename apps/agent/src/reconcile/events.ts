// The agent's event stream (changes, drift, rejected attempts) for the
// console's live view.
import type { AgentEvent } from '@lvs-console/shared/api';
import { Broadcast } from './broadcast';

export class EventBus extends Broadcast<AgentEvent> {}
