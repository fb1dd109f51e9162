// The sim traffic model: arrivals, kernel connection states and counters.
export * from './traffic';
export { TimedHeap, type Timed } from './heap';
