// A binary min-heap of timed items, ordered by (time, sequence) so that equal
// times pop in creation order and runs are deterministic.

export interface Timed {
  eventMs: number;
  readonly seq: number;
  heapIndex: number;
}

function before(a: Timed, b: Timed): boolean {
  return a.eventMs < b.eventMs || (a.eventMs === b.eventMs && a.seq < b.seq);
}

export class TimedHeap<T extends Timed> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Every item, in heap (not time) order. */
  values(): readonly T[] {
    return this.items;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top;
  }

  /** Re-position an item whose eventMs changed. */
  update(item: T): void {
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  remove(item: T): void {
    if (item.heapIndex >= 0 && this.items[item.heapIndex] === item) this.removeAt(item.heapIndex);
  }

  private removeAt(index: number): void {
    const removed = this.items[index] as T;
    const last = this.items.pop() as T;
    removed.heapIndex = -1;
    if (index < this.items.length) {
      this.items[index] = last;
      last.heapIndex = index;
      this.up(index);
      this.down(last.heapIndex);
    }
  }

  private up(start: number): void {
    let index = start;
    const item = this.items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.items[parentIndex] as T;
      if (!before(item, parent)) break;
      this.items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    this.items[index] = item;
    item.heapIndex = index;
  }

  private down(start: number): void {
    let index = start;
    const length = this.items.length;
    const item = this.items[index] as T;
    while (true) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(this.items[right] as T, this.items[left] as T)) child = right;
      const childItem = this.items[child] as T;
      if (!before(childItem, item)) break;
      this.items[index] = childItem;
      childItem.heapIndex = index;
      index = child;
    }
    this.items[index] = item;
    item.heapIndex = index;
  }
}
