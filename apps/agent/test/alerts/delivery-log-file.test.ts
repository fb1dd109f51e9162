// The delivery log survives an agent restart: a real agent sends a test
// notification to a real receiver, stops, starts again on the same state
// directory, and the console's log still says what went where. The file
// stays bounded and a torn last line (a crash mid-append) costs only itself.
import { createServer } from 'node:http';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVERY_LOG_FILE, DeliveryLogFile } from '../../src/alerts/delivery-log-file';
import type { DeliveryLogEntry } from '../../src/alerts/notifier';
import { data, startHarness, trpcMutation, trpcQuery } from '../http/harness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lvs-delivery-log-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function entry(id: number): DeliveryLogEntry {
  return {
    id,
    time: 1_700_000_000_000 + id,
    targetId: 'ops',
    target: 'Ops',
    type: 'webhook',
    where: 'http://127.0.0.1/hook',
    group: 'g',
    kinds: ['test'],
    what: `event ${id}`,
    attempt: 1,
    ok: true,
    status: 200,
    answer: '200 OK',
    retryAt: null,
    durationMs: 1,
  };
}

describe('notification delivery log on disk', () => {
  it('should show what was sent before the agent restarted, and number on from there', async () => {
    const got: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume().on('end', () => {
        got.push(req.url ?? '');
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          receiver.closeAllConnections();
          receiver.close(() => resolve());
        }),
    );
    const address = receiver.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const stateDir = await tempDir();

    const first = await startHarness({ demo: false, stateDir });
    const update = await trpcMutation(first.url, 'notifications.update', {
      enabled: true,
      groupWaitMs: 0,
      repeatIntervalMs: 60_000,
      webhooks: [{ id: 'ops', name: 'Ops', url: `http://127.0.0.1:${address.port}/hook` }],
    });
    expect(update.status).toBe(200);
    expect(data<Array<{ ok: boolean }>>(await trpcMutation(first.url, 'notifications.test', {})).map((r) => r.ok)).toEqual([true]);
    await first.close();
    expect(got).toEqual(['/hook']);

    const second = await startHarness({ demo: false, stateDir });
    cleanups.push(() => second.close());
    const before = data<Array<{ id: number; ok: boolean; target: string; kinds: string[] }>>(await trpcQuery(second.url, 'notifications.log'));
    expect(before.map((e) => [e.target, e.ok, e.kinds])).toEqual([['Ops', true, ['test']]]);
    await trpcMutation(second.url, 'notifications.test', {});
    const after = data<Array<{ id: number }>>(await trpcQuery(second.url, 'notifications.log'));
    // Newest first, and the new entry does not reuse the old one's number.
    expect(after.map((e) => e.id)).toEqual([(before[0]?.id ?? 0) + 1, before[0]?.id]);
  });

  it('should keep the file bounded and skip a torn last line', async () => {
    const stateDir = await tempDir();
    const path = join(stateDir, DELIVERY_LOG_FILE);
    const log = await DeliveryLogFile.open(stateDir, 10);
    for (let id = 1; id <= 35; id++) log.append(entry(id));
    await log.flushed();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(20);
    await appendFile(path, '{"id":36,"time":17000000');
    const reopened = await DeliveryLogFile.open(stateDir, 10);
    expect(reopened.entries().map((e) => e.id)).toEqual([26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
  });
});
