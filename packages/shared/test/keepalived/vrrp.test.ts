// vrrp_instance blocks -> the pair (ha): a file written for both directors
// with keepalived's @DIRECTOR lines imports as the pair; what does not make a
// pair the console can run is a warning with its line, never a silent drop.
import { describe, expect, it } from 'vitest';
import { formatPlace, readKeepalivedConf } from '../../src/keepalived';

const SERVICES = `
virtual_server 192.0.2.10 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.1.0.1 80 {
        TCP_CHECK {
            connect_timeout 2
            retry 0
        }
    }
}
virtual_server 192.0.2.11 53 {
    lb_algo rr
    lb_kind DR
    protocol UDP
    real_server 10.1.0.2 53 {
    }
}
`;

const PAIR = `global_defs {
@lb-a   router_id lb-a
@lb-b   router_id lb-b
    lvs_sync_daemon eth1 VI_WEB id 7
}
vrrp_instance VI_WEB {
@lb-a   state MASTER
@lb-b   state BACKUP
    interface eth0
    virtual_router_id 51
@lb-a   priority 150
@lb-b   priority 100
    advert_int 2
@lb-a   unicast_src_ip 10.0.0.1
@lb-b   unicast_src_ip 10.0.0.2
    unicast_peer {
@lb-a   10.0.0.2
@lb-b   10.0.0.1
    }
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    track_script {
        chk_nginx
    }
    virtual_ipaddress {
        192.0.2.10/24 dev eth0 label eth0:vip
        10.1.0.254/24 dev eth1
    }
}
vrrp_instance VI_DNS {
    state BACKUP
    interface eth0
    virtual_router_id 52
@lb-a   priority 100
@lb-b   priority 150
    nopreempt
@lb-a   mcast_src_ip 10.0.0.1
@lb-b   mcast_src_ip 10.0.0.2
    virtual_ipaddress {
        192.0.2.11
    }
}
${SERVICES}`;

describe('keepalived.conf VRRP import', () => {
  it('reads a pair written with @DIRECTOR lines into directors, instances and the sync daemon', () => {
    const result = readKeepalivedConf(PAIR);
    expect(result.notes.filter((n) => n.level === 'error')).toEqual([]);
    expect(result.state.ha).toEqual({
      directors: [
        { name: 'lb-a', address: '10.0.0.1' },
        { name: 'lb-b', address: '10.0.0.2' },
      ],
      instances: [
        {
          name: 'VI_WEB',
          interface: 'eth0',
          virtualRouterId: 51,
          priorities: { 'lb-a': 150, 'lb-b': 100 },
          advertInterval: 2,
          preempt: true,
          preemptDelay: 0,
          unicast: true,
          password: 's3cret',
          addresses: [],
        }, // the catch-all: every VIP VI_DNS does not move
        {
          name: 'VI_DNS',
          interface: 'eth0',
          virtualRouterId: 52,
          priorities: { 'lb-a': 100, 'lb-b': 150 },
          advertInterval: 1,
          preempt: false,
          preemptDelay: 0,
          unicast: false,
          addresses: ['192.0.2.11'],
        },
      ],
      sync: { interface: 'eth1', syncId: 7 },
    });
    // The pair's daemon follows VRRP; no separately set daemons.
    expect(result.state.syncDaemons).toEqual([]);
    expect(result.state.services.map((s) => s.key.kind === 'addr' && s.key.address)).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(result.notes.map((n) => `${formatPlace(n)}: ${n.message}`)).toEqual([
      'line 6: vrrp_instance VI_WEB: 10.1.0.254 is not the address of a virtual server; the console moves service VIPs only, so it is not imported',
      'line 24: vrrp_instance track_script is not represented by the console; ignored',
    ]);
  });

  it('a file for one director only keeps its VRRP out, with the line and what to do', () => {
    const single = PAIR.replace(/^@lb-b.*$/gm, '').replace(/^@lb-a\s*/gm, '');
    const result = readKeepalivedConf(single);
    expect(result.ok).toBe(true);
    expect(result.state.ha).toBeUndefined();
    expect(result.notes.map((n) => n.message)).toContain(
      "vrrp_instance VI_WEB: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    );
  });

  it('directors that disagree on an instance setting give no pair, and say which setting', () => {
    const result = readKeepalivedConf(
      PAIR.replace('    interface eth0\n    virtual_router_id 52', '@lb-a interface eth0\n@lb-b interface eth2\n    virtual_router_id 52'),
    );
    expect(result.ok).toBe(true);
    expect(result.state.ha).toBeUndefined();
    expect(result.notes.map((n) => n.message)).toContain(
      'VRRP not imported: vrrp_instance VI_DNS: interface differs between directors; the console keeps one value per instance',
    );
  });

  it('a director without its own address gives no pair, and says how to give one', () => {
    const result = readKeepalivedConf(PAIR.replace('@lb-b   mcast_src_ip 10.0.0.2\n', ''));
    expect(result.state.ha).toBeDefined();
    const noAddress = readKeepalivedConf(PAIR.replace(/^@lb-b\s+(unicast_src_ip|mcast_src_ip).*\n/gm, ''));
    expect(noAddress.state.ha).toBeUndefined();
    expect(noAddress.notes.map((n) => n.message)).toContain(
      'VRRP not imported: director lb-b has no address: give it unicast_src_ip (unicast) or mcast_src_ip (multicast), as the export does',
    );
  });

  it('equal priorities are refused with the reason (VRRP would pick the MASTER by address)', () => {
    const result = readKeepalivedConf(PAIR.replace('@lb-b   priority 100', '@lb-b   priority 150'));
    expect(result.state.ha).toBeUndefined();
    expect(result.notes.some((n) => n.message.startsWith('VRRP not imported: directors "lb-a" and "lb-b" both have priority 150'))).toBe(true);
  });
});
