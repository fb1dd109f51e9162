// Issue 17: /metrics answers gzip when the scraper asks for it (Prometheus
// sends Accept-Encoding: gzip), plain text otherwise; both hold the same series.
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** A raw GET (node:http does not decompress), as a scraper sees the wire. */
function rawMetrics(acceptEncoding: string | null): Promise<{ status: number; encoding: string | undefined; vary: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
    if (acceptEncoding !== null) headers['accept-encoding'] = acceptEncoding;
    const req = request(`${h.url}/metrics`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], vary: res.headers.vary, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const seriesNames = (text: string) =>
  [
    ...new Set(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.replace(/[{ ].*$/, '')),
    ),
  ].sort();

describe('/metrics compression', () => {
  it('answers gzip to a scraper that accepts it, and plain text to one that does not', async () => {
    const plain = await rawMetrics(null);
    expect(plain.status).toBe(200);
    expect(plain.encoding).toBeUndefined();
    const text = plain.body.toString('utf8');
    expect(text).toMatch(/^lvs_destination_weight\{/m);

    const zipped = await rawMetrics('gzip');
    expect(zipped.status).toBe(200);
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.vary).toMatch(/accept-encoding/i);
    const unzipped = gunzipSync(zipped.body).toString('utf8');
    expect(seriesNames(unzipped)).toEqual(seriesNames(text));
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);

    // Prometheus' own header; and gzip refused with q=0 gets plain text.
    expect((await rawMetrics('gzip, identity;q=0.5')).encoding).toBe('gzip');
    expect((await rawMetrics('gzip;q=0, identity')).encoding).toBeUndefined();
  });
});
