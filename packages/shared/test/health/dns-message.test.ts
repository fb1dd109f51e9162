import { describe, expect, it } from 'vitest';
import { decodeDnsReply, encodeDnsQuery, encodeDnsReply } from '../../src/health';

describe('DNS message codec', () => {
  it('encodes a query with one question', () => {
    const query = encodeDnsQuery(0x1234, 'www.example.com', 'A');
    expect(Array.from(query.subarray(0, 12))).toEqual([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(query.subarray(12))).toEqual([3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1]);
  });

  it('decodes a reply with compressed names', () => {
    const query = encodeDnsQuery(7, 'svc.test.', 'AAAA');
    const v6 = new Uint8Array(16);
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[2] = 0x0d;
    v6[3] = 0xb8;
    v6[15] = 1;
    const reply = decodeDnsReply(encodeDnsReply(query, 'AAAA', [v6]));
    expect(reply).toMatchObject({ id: 7, isResponse: true, rcode: 0, rcodeName: 'NOERROR', answers: [{ type: 28, address: '2001:db8::1' }] });
  });

  it('reads NXDOMAIN and refuses truncated messages', () => {
    const query = encodeDnsQuery(9, 'missing.test', 'A');
    expect(decodeDnsReply(encodeDnsReply(query, 'A', [], 3)).rcodeName).toBe('NXDOMAIN');
    expect(() => decodeDnsReply(new Uint8Array(5))).toThrow(/shorter than a header/);
    const full = encodeDnsReply(query, 'A', [new Uint8Array([10, 0, 0, 1])]);
    expect(() => decodeDnsReply(full.subarray(0, full.length - 2))).toThrow(/ends inside an answer/);
  });
});
