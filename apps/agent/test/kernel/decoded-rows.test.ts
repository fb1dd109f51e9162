// Rows decoded once while their bytes stay the same (DecodedRows), over the
// kernel's own recorded dump messages: whatever the bytes do between dumps,
// a row is always what decoding its bytes now gives.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ObservedDestination, ObservedService } from '@lvs-console/shared';
import { DecodedRows, type RowsReader } from '../../src/kernel/netlink/decoded-rows';
import { GENL_ATTRS_OFFSET, decodeDestination, decodeService } from '../../src/kernel/netlink/ipvs-codec';

const recorded = readFileSync(new URL('fixtures/netlink-dumps.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('record '))
  .map((line) => {
    const [, cmd = '', hex = ''] = line.split(' ');
    return { cmd, message: Buffer.from(hex, 'hex') };
  });
const serviceMessages = recorded.filter((r) => r.cmd === 'GET_SERVICE').map((r) => r.message);
const destinationMessages = recorded.filter((r) => r.cmd === 'GET_DEST').map((r) => r.message);

/** One dump as the socket delivers it: every message in one receive buffer, each row's attributes at [start, end). */
function datagram(messages: readonly Buffer[]): { buf: Buffer; spans: Array<[number, number]> } {
  const buf = Buffer.concat(messages);
  const spans: Array<[number, number]> = [];
  let at = 0;
  for (const message of messages) {
    spans.push([at + GENL_ATTRS_OFFSET, at + message.length]);
    at += message.length;
  }
  return { buf, spans };
}

function readServices(
  cache: DecodedRows<ObservedService>,
  messages: readonly Buffer[],
): { rows: Array<ObservedService | null>; reader: RowsReader<ObservedService> } {
  const { buf, spans } = datagram(messages);
  const reader = cache.reader('services', decodeService);
  const rows = spans.map(([start, end]) => reader.row(buf, start, end));
  cache.finish('services', reader);
  return { rows, reader };
}

/** The message with its last counter attribute's value changed (the rate estimates end the STATS64 nest). */
function withChangedCounter(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt32LE((copy.readUInt32LE(copy.length - 8) + 12345) >>> 0, copy.length - 8);
  return copy;
}

describe('DecodedRows', () => {
  it('hands out the row decoded before while the bytes stay the same, equal to a fresh decode', () => {
    const cache = new DecodedRows<ObservedService>(100);
    const first = readServices(cache, serviceMessages);
    expect(first.reader.reused).toBe(0);
    const second = readServices(cache, serviceMessages);
    expect(second.reader.reused).toBe(serviceMessages.length);
    second.rows.forEach((row, i) => expect(row).toBe(first.rows[i]));
    expect(second.rows).toEqual(serviceMessages.map((m) => decodeService(m, GENL_ATTRS_OFFSET, m.length)));
  });

  it('decodes a row again when its bytes changed, and only that row', () => {
    const cache = new DecodedRows<ObservedService>(100);
    const before = readServices(cache, serviceMessages).rows;
    const changed: Buffer[] = [...serviceMessages];
    changed[1] = withChangedCounter(serviceMessages[1] as Buffer);
    const after = readServices(cache, changed);
    expect(after.reader.reused).toBe(serviceMessages.length - 1);
    expect(after.rows[1]).not.toEqual(before[1]);
    expect(after.rows).toEqual(changed.map((m) => decodeService(m, GENL_ATTRS_OFFSET, m.length)));
  });

  it('decodes rows that moved in the dump (matched by position, never by a guess)', () => {
    const cache = new DecodedRows<ObservedService>(100);
    readServices(cache, serviceMessages);
    const reversed = [...serviceMessages].reverse();
    const after = readServices(cache, reversed);
    expect(after.rows).toEqual(reversed.map((m) => decodeService(m, GENL_ATTRS_OFFSET, m.length)));
  });

  it('keeps a copy of the bytes, not a view of the receive buffer the socket reuses', () => {
    const cache = new DecodedRows<ObservedService>(100);
    const { buf, spans } = datagram(serviceMessages);
    const reader = cache.reader('services', decodeService);
    const rows = spans.map(([start, end]) => reader.row(buf, start, end));
    cache.finish('services', reader);
    buf.fill(0);
    const again = readServices(cache, serviceMessages);
    expect(again.reader.reused).toBe(serviceMessages.length);
    again.rows.forEach((row, i) => expect(row).toBe(rows[i]));
  });

  it('a dump that did not finish leaves the rows of the one before', () => {
    const cache = new DecodedRows<ObservedService>(100);
    readServices(cache, serviceMessages);
    const { buf, spans } = datagram(serviceMessages.map(withChangedCounter));
    const broken = cache.reader('services', decodeService);
    for (const [start, end] of spans) broken.row(buf, start, end);
    // No finish(): the dump failed half-way.
    expect(readServices(cache, serviceMessages).reader.reused).toBe(serviceMessages.length);
  });

  it('keeps no more rows than its budget, and forgets lists no longer named', () => {
    const cache = new DecodedRows<ObservedDestination>(3);
    const read = (list: string, messages: readonly Buffer[]) => {
      const { buf, spans } = datagram(messages);
      const reader = cache.reader(list, (b, start, end) => decodeDestination(b, 'inet', start, end));
      for (const [start, end] of spans) reader.row(buf, start, end);
      cache.finish(list, reader);
      return reader;
    };
    const tcp = destinationMessages.slice(0, 2);
    read('a', tcp);
    read('b', tcp);
    expect(cache.size).toBe(2); // b's two rows would pass the budget of 3: b keeps nothing
    expect(read('b', tcp).reused).toBe(0);
    expect(read('a', tcp).reused).toBe(2);
    cache.retain(new Set(['b']));
    expect(cache.size).toBe(0);
    read('b', tcp);
    expect(read('b', tcp).reused).toBe(2);
    expect(cache.size).toBe(2);
  });
});
