// keepalived.conf import at scale (issue 15): 1,000 virtual servers with 10
// real servers each (10,000), every real server with a TCP_CHECK. Target:
// the whole import (syntax, keepalived's defaults, validation) under 500 ms.
// Baseline: the syntax pass alone (lines, words, blocks), in the same run.
// The same file for a director pair (issue 14's HA): four vrrp_instance blocks
// with keepalived's @DIRECTOR lines moving the 1,000 VIPs, read once per
// director; baseline: the same import without the VRRP blocks.
import { parseSyntax, readKeepalivedConf } from '../src/keepalived';
import { medianMs, type BenchResult } from './support';

function bigConf(virtualServers: number, realServers: number): string {
  const lines: string[] = ['global_defs {', '    lvs_timeouts tcp 900 tcpfin 120 udp 300', '}'];
  for (let i = 0; i < virtualServers; i++) {
    lines.push(
      `virtual_server 192.0.${Math.floor(i / 250)}.${(i % 250) + 1} 80 {`,
      '    protocol TCP',
      '    lvs_sched wlc',
      '    lvs_method NAT',
      '    delay_loop 5',
      '    inhibit_on_failure',
    );
    for (let r = 0; r < realServers; r++) {
      lines.push(
        `    real_server 10.${Math.floor(i / 250)}.${i % 250}.${r + 1} 8080 {`,
        `        weight ${r + 1}`,
        '        TCP_CHECK {',
        '            connect_timeout 2',
        '            retry 2',
        '            delay_before_retry 5',
        '        }',
        '    }',
      );
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

// The console holds at most 256 addresses per VRRP instance (as keepalived advertises them): four instances of 250.
const VIPS_PER_INSTANCE = 250;

/** global_defs and vrrp_instance blocks for directors lb-a and lb-b, each instance moving 250 VIPs, MASTER on alternate directors. */
function pairBlocks(virtualServers: number): string {
  const vip = (i: number) => `192.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const lines: string[] = ['global_defs {', '@lb-a    router_id lb-a', '@lb-b    router_id lb-b', '    lvs_sync_daemon eth1 VI_1 id 7', '}'];
  for (let instance = 0; instance * VIPS_PER_INSTANCE < virtualServers; instance++) {
    const [first, second] = instance % 2 === 0 ? ['lb-a', 'lb-b'] : ['lb-b', 'lb-a'];
    lines.push(
      `vrrp_instance VI_${instance + 1} {`,
      `@${first}    state MASTER`,
      `@${second}    state BACKUP`,
      '    interface eth0',
      `    virtual_router_id ${51 + instance}`,
      `@${first}    priority 150`,
      `@${second}    priority 100`,
      '    advert_int 1',
      '@lb-a    unicast_src_ip 10.255.0.1',
      '@lb-b    unicast_src_ip 10.255.0.2',
      '    unicast_peer {',
      '@lb-a        10.255.0.2',
      '@lb-b        10.255.0.1',
      '    }',
      '    authentication {',
      '        auth_type PASS',
      '        auth_pass s3cret',
      '    }',
      '    virtual_ipaddress {',
    );
    for (let i = instance * VIPS_PER_INSTANCE; i < Math.min(virtualServers, (instance + 1) * VIPS_PER_INSTANCE); i++) lines.push(`        ${vip(i)}`);
    lines.push('    }', '}');
  }
  return `${lines.join('\n')}\n`;
}

export function run(): Promise<BenchResult[]> {
  const text = bigConf(1000, 10);
  const check = readKeepalivedConf(text);
  if (!check.ok || check.state.services.length !== 1000 || check.state.services.reduce((n, s) => n + s.destinations.length, 0) !== 10_000) {
    throw new Error(`the generated keepalived.conf did not import cleanly: ${check.notes[0]?.message ?? 'wrong counts'}`);
  }
  const importMs = medianMs(7, () => {
    readKeepalivedConf(text);
  });
  const syntaxMs = medianMs(7, () => {
    parseSyntax(text);
  });
  // A pair's file: the 1,000 virtual servers and the VRRP blocks that move their VIPs.
  const pairText = pairBlocks(1000) + text.replace(/^global_defs \{[^}]*\}\n/, '');
  const pair = readKeepalivedConf(pairText);
  // The sync daemon's instance (VI_1) is the console's catch-all: it moves every VIP the others do not name.
  const movedVips = pair.state.ha?.instances.reduce((n, instance) => n + instance.addresses.length, 0) ?? 0;
  const catchAll = pair.state.ha?.instances.filter((instance) => instance.addresses.length === 0).length ?? 0;
  if (
    !pair.ok ||
    pair.state.ha?.directors.length !== 2 ||
    pair.state.ha.instances.length !== 4 ||
    catchAll !== 1 ||
    movedVips !== 750 ||
    pair.state.services.length !== 1000
  ) {
    throw new Error(`the generated pair keepalived.conf did not import as a pair: ${pair.notes[0]?.message ?? `${movedVips} VIPs moved`}`);
  }
  const pairMs = medianMs(7, () => {
    readKeepalivedConf(pairText);
  });
  return Promise.resolve([
    {
      name: 'keepalived-import-1k-vs-10k-rs',
      value: importMs,
      unit: 'ms',
      baseline: { name: 'keepalived-syntax-only-1k-vs-10k-rs', value: syntaxMs, unit: 'ms' },
    },
    {
      name: 'keepalived-import-1k-vs-10k-rs-vrrp-pair',
      value: pairMs,
      unit: 'ms',
      baseline: { name: 'keepalived-import-1k-vs-10k-rs', value: importMs, unit: 'ms' },
    },
  ]);
}
