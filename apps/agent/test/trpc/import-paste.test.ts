// state.import with pasted shell text, over HTTP against the sim kernel:
// each seed write-up pasted whole builds its author's table; a merge runs
// the commands on the live table; a replace that deletes services needs
// confirmDeletes; a paste with nothing to import is refused.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { destinationId, serviceId, type DesiredState } from '@lvs-console/shared';
import type { ImportOutcome } from '@lvs-console/shared/api';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../packages/shared/test/fixtures/seeds/${name}`, import.meta.url)), 'utf8');

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function snapshot(harness: Harness): Promise<{ revision: number; desired: DesiredState }> {
  return data<{ revision: number; desired: DesiredState }>(await trpcQuery(harness.url, 'state.get'));
}

async function kernelRules(harness: Harness): Promise<string> {
  const table = await harness.sim.observe();
  return renderRules({ services: table.services.map((s) => ({ ...s, destinations: s.destinations.map((d) => ({ ...d })) })), timeouts: null, syncDaemons: [] });
}

describe('each seed pasted whole into state.import', () => {
  const seeds: Array<[string, string]> = [
    ['000_69cd17229d364707', fixture('000_69cd17229d364707.Sn')],
    ['001_7d3af739274dd511', fixture('001_7d3af739274dd511-dr.Sn')],
    ['002_6688bd36d8d96982', fixture('002_6688bd36d8d96982-nat.Sn') + fixture('002_6688bd36d8d96982-persistent.Sn')],
    ['003_2126bffc24a5b74b', fixture('003_2126bffc24a5b74b.Sn')],
    ['004_5b7713e7ae6b680f', fixture('004_5b7713e7ae6b680f.Sn')],
  ];
  it.each(seeds)("%s builds the author's table in the desired state and the kernel", async (name, expected) => {
    h = await startHarness({ demo: false });
    const text = fixture(`whole/${name}.txt`);
    const { revision } = await snapshot(h);
    const preview = data<ImportOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: revision, text, mode: 'merge' }));
    expect(preview.import.skipped.length).toBeGreaterThan(0);
    expect(preview.import.deletes).toEqual([]);
    const applied = data<ImportOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: revision, text, mode: 'merge', dryRun: false }));
    expect(applied.revision).toBe(revision + 1);
    expect(renderRules((await snapshot(h)).desired)).toBe(expected);
    expect(await kernelRules(h)).toBe(expected);
  });
});

describe('pastes against the live table', () => {
  it('a lone -e of a live real server changes only its weight', async () => {
    h = await startHarness();
    const before = await snapshot(h);
    const text = `[root@lvs ~]# ipvsadm -e -t 192.0.2.10:80 -r ${WEB1.address}:${WEB1.port} -m -w 5 #加权`;
    const outcome = data<ImportOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'merge', dryRun: false }));
    expect(outcome.lines).toEqual([`ipvsadm -e -t 192.0.2.10:80 -r ${WEB1.address}:${WEB1.port} -m -w 5`]);
    const table = await h.sim.observe();
    expect(table.services.find((s) => serviceId(s.key) === serviceId(WEB))?.destinations.find((d) => destinationId(d) === destinationId(WEB1))?.weight).toBe(5);
    expect((await snapshot(h)).desired.services.map((s) => serviceId(s.key))).toEqual(before.desired.services.map((s) => serviceId(s.key)));
  });

  it('a replace that deletes services is refused without confirmDeletes, names the count, and applies with it', async () => {
    h = await startHarness();
    const before = await snapshot(h);
    const kernelBefore = await kernelRules(h);
    const text = fixture('whole/003_2126bffc24a5b74b.txt');
    const count = before.desired.services.length;
    expect(count).toBeGreaterThan(0);
    const preview = data<ImportOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'replace' }));
    expect(preview.import.replaces).toBe(true);
    expect(preview.import.deletes).toHaveLength(count);
    const refused = await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'replace', dryRun: false });
    expect(refused.body.error?.data.domainCode).toBe('CONFLICT');
    expect(refused.body.error?.message).toContain(`deletes ${count} service${count === 1 ? '' : 's'}`);
    expect(await kernelRules(h)).toBe(kernelBefore);
    expect((await snapshot(h)).revision).toBe(before.revision);
    const applied = data<ImportOutcome>(
      await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'replace', dryRun: false, confirmDeletes: true }),
    );
    expect(applied.revision).toBe(before.revision + 1);
    expect(await kernelRules(h)).toBe(fixture('003_2126bffc24a5b74b.Sn'));
  });

  it('ipvsadm -C in a merge is a replace: it needs the confirmation too', async () => {
    h = await startHarness();
    const before = await snapshot(h);
    const text = 'ipvsadm -C\nipvsadm -A -t 192.0.2.77:80 -s rr';
    const refused = await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'merge', dryRun: false });
    expect(refused.body.error?.data.domainCode).toBe('CONFLICT');
    expect((await snapshot(h)).revision).toBe(before.revision);
  });

  it('a paste with no rule lines is refused, changing nothing', async () => {
    h = await startHarness();
    const before = await snapshot(h);
    const kernelBefore = await kernelRules(h);
    for (const mode of ['merge', 'replace']) {
      const refused = await trpcMutation(h.url, 'state.import', {
        baseRevision: before.revision,
        text: '[root@lvs ~]# ipvsadm -Ln\nsome notes\n',
        mode,
        dryRun: false,
        confirmDeletes: true,
      });
      expect(refused.body.error?.message).toBe('no ipvsadm commands or listing found (2 lines skipped); nothing to import');
    }
    expect(await kernelRules(h)).toBe(kernelBefore);
    expect((await snapshot(h)).revision).toBe(before.revision);
  });

  it('a failing line names itself and nothing is applied', async () => {
    h = await startHarness();
    const before = await snapshot(h);
    const text = 'ipvsadm -A -t 192.0.2.78:80 -s rr\nipvsadm -a -t 192.0.2.78:80 -r $RIP -m';
    const refused = await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, mode: 'merge', dryRun: false });
    expect(refused.body.error?.data.issues).toEqual([
      {
        path: 'line 2',
        message:
          '$RIP is a shell variable this paste never sets; write its value (an address such as 192.0.2.10) in its place, or include the line that sets it (RIP=...)',
        // The console says it in its language from the id.
        messageId: 'importUnsetVariable',
        params: { name: 'RIP' },
      },
    ]);
    expect((await snapshot(h)).revision).toBe(before.revision);
  });
});
