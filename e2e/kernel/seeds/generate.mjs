#!/usr/bin/env node
// generate.mjs - HOST-side: writes the seed clusters the kernel "seeds" suite
// (suites/seeds.sh) applies with `lvs-console apply`:
//
//   node e2e/kernel/seeds/generate.mjs           rewrite <name>.json and <name>.Sn
//   node e2e/kernel/seeds/generate.mjs --check   exit 1 if a committed file differs
//
// Source: the field write-ups' rule lines as parsed into
// packages/shared/test/fixtures/seeds/*.Sn (the canonical table each seed
// ends with). Each seed's VIP and real servers are mapped onto the
// documentation addresses of lib/topology.sh (VIP 192.0.2.x; real servers
// rsN = 203.0.113.1N for NAT, 198.51.100.1N for DR/TUN), keeping scheduler,
// weights, forwarding method, ports and persistence. Host settings come from
// packages/shared/src/host directorRequirementsForState() with the VIP on the
// director interface topology.sh gives the method (cli0 for NAT, eth0 for
// DR/TUN): ip_vs, ip_forward for NAT, ipip for TUN, the VIP address.
//
// <name>.Sn is renderRules() of the JSON (what `lvs-console ipvsadm render`
// prints and `ipvsadm -Sn` must print after the apply). It is also checked
// here against the seed fixture's .Sn with the address map applied as text,
// so the mapping cannot silently change anything but addresses.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const fixtures = join(root, 'packages/shared/test/fixtures/seeds');

// name -> fixture, topology mode, director VIP interface, address map.
export const SEEDS = [
  {
    name: 'seed000-dr-rr',
    fixture: '000_69cd17229d364707.Sn',
    mode: 'dr',
    vipInterface: 'eth0',
    map: { '172.25.254.100': '192.0.2.100', '172.25.254.2': '198.51.100.11', '172.25.254.3': '198.51.100.12' },
  },
  {
    name: 'seed001-nat-wlc',
    fixture: '001_7d3af739274dd511-nat.Sn',
    mode: 'nat',
    vipInterface: 'cli0',
    map: { '192.168.0.1': '192.0.2.1', '192.168.1.2': '203.0.113.11', '192.168.1.3': '203.0.113.12' },
  },
  {
    name: 'seed001-dr-wlc',
    fixture: '001_7d3af739274dd511-dr.Sn',
    mode: 'dr',
    vipInterface: 'eth0',
    map: { '192.168.0.1': '192.0.2.1', '192.168.1.2': '198.51.100.11', '192.168.1.3': '198.51.100.12' },
  },
  {
    name: 'seed002-nat-rr',
    fixture: '002_6688bd36d8d96982-nat.Sn',
    mode: 'nat',
    vipInterface: 'cli0',
    map: { '192.168.168.200': '192.0.2.200', '192.168.40.201': '203.0.113.11', '192.168.40.203': '203.0.113.12' },
  },
  {
    name: 'seed002-persistent-dr',
    fixture: '002_6688bd36d8d96982-persistent.Sn',
    mode: 'dr',
    vipInterface: 'eth0',
    map: { '192.168.199.199': '192.0.2.199', '1.1.1.1': '198.51.100.11', '2.2.2.2': '198.51.100.12' },
  },
  {
    name: 'seed003-nat-wrr',
    fixture: '003_2126bffc24a5b74b.Sn',
    mode: 'nat',
    vipInterface: 'cli0',
    map: { '192.168.10.100': '192.0.2.103', '10.0.0.7': '203.0.113.11', '10.0.0.17': '203.0.113.12' },
  },
  {
    name: 'seed004-tun-wlc',
    fixture: '004_5b7713e7ae6b680f.Sn',
    mode: 'tun',
    vipInterface: 'eth0',
    map: { '192.168.1.3': '192.0.2.3', '192.168.1.10': '198.51.100.11', '192.168.1.11': '198.51.100.12' },
  },
];

/** @lvs-console/shared[/sub] -> packages/shared/src[/sub]/index.ts (the workspace ships TypeScript). */
const sharedSources = {
  name: 'shared-sources',
  setup(b) {
    b.onResolve({ filter: /^@lvs-console\/shared(\/.*)?$/ }, (args) => {
      const sub = args.path.slice('@lvs-console/shared'.length);
      return { path: join(root, 'packages/shared/src', sub, 'index.ts') };
    });
  },
};

async function loadShared() {
  const result = await build({
    stdin: {
      contents: `
        export { desiredStateSchema } from '@lvs-console/shared';
        export { parseRules, renderRules } from '@lvs-console/shared/ipvsadm';
        export { directorRequirementsForState } from '@lvs-console/shared/host';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [sharedSources],
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

function mapText(text, map) {
  // Longest first, whole addresses only (followed by ":" or end of word).
  const keys = Object.keys(map).sort((a, b) => b.length - a.length);
  let out = text;
  for (const from of keys) out = out.replace(new RegExp(`(?<![0-9.])${from.replaceAll('.', '\\.')}(?![0-9])`, 'g'), map[from]);
  return out;
}

const { desiredStateSchema, parseRules, renderRules, directorRequirementsForState } = await loadShared();
const check = process.argv.includes('--check');
let stale = 0;
for (const seed of SEEDS) {
  const fixtureText = await readFile(join(fixtures, seed.fixture), 'utf8');
  const mappedText = mapText(fixtureText, seed.map);
  const parsed = parseRules(mappedText);
  if (!parsed.ok) throw new Error(`${seed.fixture}: ${JSON.stringify(parsed.errors)}`);
  for (const address of JSON.stringify(parsed.state).match(/\d+\.\d+\.\d+\.\d+/g) ?? []) {
    if (!/^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(address)) throw new Error(`${seed.name}: ${address} is not a documentation address`);
  }
  const state = desiredStateSchema.parse({
    ...parsed.state,
    hostSettings: directorRequirementsForState(parsed.state, { vipInterface: seed.vipInterface }),
  });
  const rendered = renderRules(state);
  if (rendered !== renderRules(parseRules(mappedText).state) || rendered.trim() !== mappedText.trim()) {
    throw new Error(`${seed.name}: rendered table differs from the mapped fixture:\n${rendered}\n---\n${mappedText}`);
  }
  const files = { [`${seed.name}.json`]: `${JSON.stringify(state, null, 2)}\n`, [`${seed.name}.Sn`]: rendered };
  for (const [file, text] of Object.entries(files)) {
    const path = join(here, file);
    if (check) {
      const old = await readFile(path, 'utf8').catch(() => null);
      if (old !== text) {
        console.log(`stale: e2e/kernel/seeds/${file}`);
        stale++;
      }
    } else {
      await writeFile(path, text);
      console.log(`wrote e2e/kernel/seeds/${file}`);
    }
  }
}
if (check) console.log(stale ? `${stale} stale file(s): run node e2e/kernel/seeds/generate.mjs` : 'seed files up to date');
process.exitCode = stale ? 1 : 0;
