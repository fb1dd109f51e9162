import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProcConnLine, readConnectionFile } from '../../src/kernel/conn-table';

const root = mkdtempSync(join(tmpdir(), 'lvs-conn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hex = (a: number, b: number, c: number, d: number): string => [a, b, c, d].map((n) => n.toString(16).toUpperCase().padStart(2, '0')).join('');

describe('/proc/net/ip_vs_conn reader', () => {
  it('parses IPv4 hex, IPv6 text and persistence templates', () => {
    expect(parseProcConnLine('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData')).toBeNull();
    expect(parseProcConnLine(`TCP ${hex(198, 18, 0, 1)} 0050 ${hex(192, 0, 2, 10)} 01BB ${hex(198, 51, 100, 11)} 01BB FIN_WAIT 12`)).toMatchObject({
      clientAddress: '198.18.0.1',
      clientPort: 80,
      virtualPort: 443,
      destAddress: '198.51.100.11',
      state: 'FIN_WAIT',
      expiresIn: 12,
      template: false,
    });
    expect(parseProcConnLine(`IP  ${hex(198, 18, 0, 0)} 0000 ${hex(192, 0, 2, 10)} 0050 ${hex(198, 51, 100, 11)} 0050 NONE 300`)?.template).toBe(true);
    expect(parseProcConnLine('garbage line with too few')).toBeNull();
  });

  it('streams a large table, keeping only one page but counting every line', async () => {
    const lines = ['Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData'];
    for (let i = 0; i < 100_000; i++) {
      const dest = i % 2 === 0 ? hex(198, 51, 100, 11) : hex(198, 51, 100, 12);
      lines.push(`TCP ${hex(198, 18, (i >> 8) & 0xff, i & 0xff)} 1F90 ${hex(192, 0, 2, 10)} 0050 ${dest} 1F90 ESTABLISHED 900`);
    }
    const path = join(root, 'big');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const page = await readConnectionFile(path, { limit: 10, offset: 20, destAddress: '198.51.100.12', clientPrefix: '198.18.0.0/16' });
    expect(page.entries).toHaveLength(10);
    expect(page.entries[0]?.clientAddress).toBe('198.18.0.41');
    expect(page.matched).toBe(50_000);
    expect(page.total).toBe(100_000);
    const capped = await readConnectionFile(path, { limit: 1_000_000 });
    expect(capped.entries).toHaveLength(10_000);
  });
});
