// Prometheus text rendering (packages/shared/src/metrics).
import { describe, expect, it } from 'vitest';
import { zeroRates } from '@lvs-console/shared';
import { escapeLabelValue, renderMetrics, type AgentFigures } from '@lvs-console/shared/metrics';

const figures: AgentFigures = {
  version: '0.1.0',
  backend: 'sim',
  revision: 4,
  driftChanges: 1,
  commitsOk: 3,
  commitsFailed: 0,
  rejected: 2,
  applyDuration: { buckets: [0.01, 0.1], counts: [2, 3], count: 3, sum: 0.05 },
  observationAgeSeconds: 0.5,
  samplerDurationSeconds: 0.002,
};

describe('renderMetrics', () => {
  it('should write counters, gauges and a cumulative histogram', () => {
    const text = renderMetrics(
      {
        services: [
          {
            key: { kind: 'fwmark', fwmark: 7, family: 'inet' },
            scheduler: 'rr',
            flags: [],
            persistence: null,
            onePacket: false,
            stats: { conns: 10, inPkts: 20, outPkts: 30, inBytes: 40, outBytes: 2 ** 40 },
            rates: zeroRates(),
            destinations: [
              {
                address: '2001:db8::1',
                port: 80,
                forwarding: 'route',
                weight: 5,
                upperThreshold: 0,
                lowerThreshold: 0,
                activeConns: 3,
                inactiveConns: 1,
                persistentConns: 0,
                stats: { conns: 10, inPkts: 20, outPkts: 30, inBytes: 40, outBytes: 50 },
                rates: zeroRates(),
              },
            ],
          },
        ],
        timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
        syncDaemons: [],
      },
      figures,
    );
    expect(text).toContain('lvs_service_bytes_out_total{service="fwmark:7",scheduler="rr"} 1099511627776\n');
    expect(text).toContain('lvs_destination_active_connections{service="fwmark:7",destination="[2001:db8::1]:80",forwarding="route"} 3\n');
    expect(text).toContain('# TYPE lvs_console_apply_duration_seconds histogram\n');
    expect(text).toContain('lvs_console_apply_duration_seconds_bucket{le="0.01"} 2\n');
    expect(text).toContain('lvs_console_apply_duration_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('lvs_console_apply_duration_seconds_count 3\n');
    expect(text).toContain('lvs_console_drift_changes 1\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('should count the destination lists the sampler read and the samples it skipped for commits', () => {
    const text = renderMetrics(null, { ...figures, sampleDestinationReads: 1200, samplesSkipped: 3 });
    expect(text).toContain('# TYPE lvs_console_sample_destination_reads_total counter\n');
    expect(text).toContain('lvs_console_sample_destination_reads_total 1200\n');
    expect(text).toContain('lvs_console_samples_skipped_total 3\n');
  });

  it('should render an empty table with agent figures only', () => {
    const text = renderMetrics(null, figures);
    expect(text).toContain('# TYPE lvs_service_connections_total counter');
    expect(text).not.toMatch(/^lvs_service_connections_total\{/m);
  });

  it('should write health, weights, drains, quorum, drift and the last apply', () => {
    const text = renderMetrics(null, {
      ...figures,
      driftSince: 1_700_000_000_000,
      lastApply: { ok: false, at: 1_700_000_060_000 },
      health: {
        services: [
          {
            service: 'tcp:192.0.2.1:80',
            quorumUp: false,
            quorumChangedAt: 1_700_000_030_000,
            sorryServer: '198.51.100.99:80',
            sorryServerActive: true,
            destinations: [
              {
                destination: '198.51.100.1:80',
                status: 'down',
                since: 1_700_000_010_000,
                configuredWeight: 5,
                effectiveWeight: null,
                draining: false,
                drainFraction: null,
                drainConnections: null,
              },
              {
                destination: '198.51.100.2:80',
                status: 'up',
                since: 1_700_000_000_000,
                configuredWeight: 3,
                effectiveWeight: 0,
                draining: true,
                drainFraction: 0.25,
                drainConnections: 30,
              },
            ],
          },
        ],
      },
    });
    const one = '{service="tcp:192.0.2.1:80",destination="198.51.100.1:80"}';
    const two = '{service="tcp:192.0.2.1:80",destination="198.51.100.2:80"}';
    expect(text).toContain(`lvs_destination_healthy${one} 0\n`);
    expect(text).toContain(`lvs_destination_healthy${two} 1\n`);
    expect(text).toContain(`lvs_destination_health_state_since_timestamp_seconds${one} 1700000010\n`);
    expect(text).toContain(`lvs_destination_removed${one} 1\n`);
    expect(text).toContain(`lvs_destination_configured_weight${two} 3\n`);
    expect(text).toContain(`lvs_destination_effective_weight${two} 0\n`);
    expect(text).toContain(`lvs_destination_draining${two} 1\n`);
    expect(text).toContain(`lvs_destination_drain_progress_ratio${two} 0.25\n`);
    expect(text).toContain(`lvs_destination_drain_connections${two} 30\n`);
    expect(text).not.toContain(`lvs_destination_drain_connections${one}`);
    expect(text).toContain('lvs_service_quorum_up{service="tcp:192.0.2.1:80"} 0\n');
    expect(text).toContain('lvs_service_sorry_server_active{service="tcp:192.0.2.1:80",sorry_server="198.51.100.99:80"} 1\n');
    expect(text).toContain('lvs_console_drift_since_timestamp_seconds 1700000000\n');
    expect(text).toContain('lvs_console_last_apply_success 0\n');
    expect(text).toContain('lvs_console_last_apply_timestamp_seconds 1700000060\n');
  });

  it('should escape label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
