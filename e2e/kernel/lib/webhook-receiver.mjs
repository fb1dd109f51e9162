// webhook-receiver.mjs - a tiny HTTP receiver for the agent's webhooks in the
// kernel bed (node, no build): listens on 127.0.0.1:PORT, answers every
// request 200 and appends to FILE, per request, one line
//   REQUEST <method> <path> auth=<bearer|none> alerts=<n>
// then one line per alert of a JSON body in the documented format (docs/alerts.md)
//   ALERT <status> <kind> <labels.destination or -> <summary>
// so a suite can wait for a line with grep. Prints "listening" once bound.
//
//   node e2e/kernel/lib/webhook-receiver.mjs PORT FILE
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [portText, file] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !file) {
  process.stderr.write('usage: webhook-receiver.mjs PORT FILE\n');
  process.exit(2);
}

const MAX_BODY = 1 << 20; // a bed receiver: anything larger is cut, not stored

function alertLines(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return ['NOT-JSON'];
  }
  const alerts = Array.isArray(body?.alerts) ? body.alerts : [];
  return alerts.map((a) => `ALERT ${a.status} ${a.kind} ${a.labels?.destination ?? '-'} ${String(a.summary ?? '').replace(/\s+/g, ' ')}`);
}

createServer((request, response) => {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  request.on('end', () => {
    const lines = alertLines(Buffer.concat(chunks).toString('utf8'));
    const auth = /^Bearer \S+$/.test(request.headers.authorization ?? '') ? 'bearer' : 'none';
    appendFileSync(file, `REQUEST ${request.method} ${request.url} auth=${auth} alerts=${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
}).listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
