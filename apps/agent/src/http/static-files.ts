// The built web console: static files with correct content types, the SPA
// fallback to index.html, immutable caching for content-hashed assets, and
// the brotli or gzip copy the build made beside each text file (file.br,
// file.gz) when the browser accepts it: nothing is compressed per request.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

/** Vite names built assets like index-BvK3a9xQ.js: the content hash makes them immutable. */
const HASHED_ASSET = /[.-][A-Za-z0-9_-]{8,}\.(?:js|mjs|css|woff2?|svg|png|jpe?g|webp|gif|ico|wasm|ttf)$/;

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>LVS Console</title>
<p>The web console is not built. Run <code>npm run build</code>, then restart the agent. The API is at <code>/trpc</code>.</p>`;

/** Precompressed copies the web build writes, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The codings an Accept-Encoding header allows (q > 0); `*` allows any not named. */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  let wildcard = false;
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    const allowed = q === undefined || Number(q) > 0;
    if (name === '*') wildcard = allowed;
    else if (allowed) accepted.add(name);
    else refused.add(name);
  }
  if (wildcard) for (const { name } of ENCODINGS) if (!refused.has(name)) accepted.add(name);
  return accepted;
}

export class StaticFiles {
  constructor(private readonly root: string | null) {}

  /** Resolve a URL path inside root; null for anything that escapes it. */
  private resolve(urlPath: string): string | null {
    if (!this.root) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const path = normalize(join(this.root, decoded));
    return path === this.root || path.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep) ? path : null;
  }

  async serve(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const target = this.resolve(urlPath);
    const file = target
      ? await stat(target).then(
          (s) => (s.isFile() ? { path: target, size: s.size } : null),
          () => null,
        )
      : null;
    if (file) {
      const immutable = urlPath.startsWith('/assets/') || HASHED_ASSET.test(urlPath);
      await this.send(req, res, file.path, file.size, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return;
    }
    // A missing file of a known type is a real 404; anything else is a console route
    // (routes may hold dots and colons, e.g. /services/tcp:192.0.2.1:80).
    const ext = extname(urlPath).toLowerCase();
    if (ext !== '.html' && ext in CONTENT_TYPES) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const index = this.resolve('/index.html');
    const indexStat = index ? await stat(index).catch(() => null) : null;
    if (index && indexStat?.isFile()) {
      await this.send(req, res, index, indexStat.size, 'no-cache');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(NOT_BUILT_PAGE);
  }

  private async send(req: IncomingMessage, res: ServerResponse, path: string, size: number, cacheControl: string): Promise<void> {
    const headers: Record<string, string | number> = { 'content-type': contentTypeOf(path), 'cache-control': cacheControl };
    let body = { path, size };
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    for (const encoding of ENCODINGS) {
      const copy = await stat(path + encoding.suffix).catch(() => null);
      if (copy?.isFile()) {
        // Caches must keep the copies apart, whichever one this answer is.
        headers.vary = 'Accept-Encoding';
        if (accepted.has(encoding.name) && !headers['content-encoding']) {
          headers['content-encoding'] = encoding.name;
          body = { path: path + encoding.suffix, size: copy.size };
        }
      }
    }
    res.writeHead(200, { ...headers, 'content-length': body.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(body.path)
      .on('error', () => res.destroy())
      .pipe(res);
  }
}
