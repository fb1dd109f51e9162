// The console's static files over real HTTP: the build's brotli or gzip copy
// when the browser accepts it, the plain file otherwise, and caching that
// keeps hashed assets for a year while index.html is always revalidated.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, StaticFiles } from '../../src/http/static-files';

const ASSET = '/assets/index-BvK3a9xQ.js';
const assetText = `export const hello = ${JSON.stringify('hello '.repeat(500))};\n`;
const indexText = `<!doctype html><title>LVS Console</title><script type="module" src="${ASSET}"></script>${'<!-- padding -->'.repeat(100)}`;

let root: string;
let server: Server;
let port: number;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, acceptEncoding?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lvs-static-'));
  mkdirSync(join(root, 'assets'));
  for (const [file, text] of [
    [ASSET, assetText],
    ['/index.html', indexText],
  ] as const) {
    writeFileSync(join(root, file), text);
    writeFileSync(join(root, `${file}.br`), brotliCompressSync(Buffer.from(text)));
    writeFileSync(join(root, `${file}.gz`), gzipSync(Buffer.from(text)));
  }
  writeFileSync(join(root, 'assets', 'small-Ab12Cd34.css'), 'body{}');
  const statics = new StaticFiles(root);
  server = createServer((req, res) => {
    void statics.serve(req, res, new URL(req.url ?? '/', 'http://x').pathname);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('static files', () => {
  it('sends the brotli copy to a browser that accepts br, cached for a year', async () => {
    const answer = await get(ASSET, 'gzip, deflate, br, zstd');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(assetText.length / 5);
    expect(brotliDecompressSync(answer.body).toString()).toBe(assetText);
  });

  it('sends the gzip copy when br is not accepted (or refused with q=0)', async () => {
    for (const header of ['gzip', 'br;q=0, gzip;q=0.8']) {
      const answer = await get(ASSET, header);
      expect(answer.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(answer.body).toString()).toBe(assetText);
    }
  });

  it('sends the plain file without Accept-Encoding, or when every coding is refused', async () => {
    for (const header of [undefined, 'identity', '*;q=0']) {
      const answer = await get(ASSET, header);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(answer.body.toString()).toBe(assetText);
    }
  });

  it('compresses index.html too (also for a console route) but never lets it be cached unchecked', async () => {
    for (const path of ['/', '/index.html', '/services/tcp:192.0.2.1:80']) {
      const answer = await get(path, 'br');
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(answer.body).toString()).toBe(indexText);
    }
  });

  it('sends a file the build did not compress as it is, without Vary', async () => {
    const answer = await get('/assets/small-Ab12Cd34.css', 'br, gzip');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toBeUndefined();
    expect(answer.body.toString()).toBe('body{}');
  });
});

describe('acceptedEncodings', () => {
  it('reads codings with their q values and the wildcard', () => {
    expect([...acceptedEncodings('gzip, br')].sort()).toEqual(['br', 'gzip']);
    expect([...acceptedEncodings('br;q=0, gzip; q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings('*')].sort()).toEqual(['br', 'gzip']);
    expect([...acceptedEncodings('*, br;q=0')]).toEqual(['gzip']);
    expect(acceptedEncodings(undefined).size).toBe(0);
  });
});
