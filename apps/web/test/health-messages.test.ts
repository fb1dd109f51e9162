// Issue 19 point 1: what the agent's health checker says (a probe's result,
// "why no traffic") reaches the console as a message id and parameters and is
// shown in the console's language; every shared id has both languages.
import { describe, expect, it } from 'vitest';
import { describedText, MESSAGE_TEXTS, messageText, serviceSchema, type MessageId } from '@lvs-console/shared';
import { explainService, initialDestinationState, recordProbe, type ProbeResult } from '@lvs-console/shared/health';
import en from '../src/locales/en';
import zhCN from '../src/locales/zh-CN';
import { localNestedMessage, MESSAGE_KEYS } from '../src/lib/error-text';
import { useChineseCatalog } from './chinese-catalog';

const PLURAL = (text: string) => text.includes('{{count}}');

describe('every shared message id in both languages', () => {
  const ids = Object.keys(MESSAGE_TEXTS) as MessageId[];

  it.each(ids)('%s has an English and a Chinese entry', (id) => {
    const key = MESSAGE_KEYS[id];
    expect(key, id).toBe(MESSAGE_TEXTS[id]);
    if (PLURAL(key)) {
      expect(en[`${key}_one`], id).toBeTypeOf('string');
      expect(en[`${key}_other`], id).toBeTypeOf('string');
      expect(zhCN[`${key}_other`], id).toMatch(/\p{Script=Han}/u);
    } else {
      // English is the key itself (no entry needed); Chinese has its own.
      expect(en[key], id).toBeUndefined();
      expect(zhCN[key], id).toBeTypeOf('string');
    }
  });
});

describe('health-check texts in Chinese', () => {
  useChineseCatalog();

  it('says a probe result with a nested timeout in Chinese, and keeps text without an id', () => {
    const nested = describedText('probeKilled', { reason: messageText('probeTimedOutAfter', { ms: 150 }), reasonId: 'probeTimedOutAfter', ms: 150 });
    expect(nested.message).toBe('timed out after 150 ms (killed)');
    expect(localNestedMessage(nested.messageId, nested.params, nested.message)).toBe('150 毫秒后超时（已终止）');
    const http = describedText('probeHttpUnexpected', { status: 'HTTP 503 Service Unavailable', expected: '200' });
    expect(localNestedMessage(http.messageId, http.params, http.message)).toBe('HTTP 503 Service Unavailable（期望 200）');
    expect(localNestedMessage(undefined, undefined, 'HTTP 200 OK')).toBe('HTTP 200 OK');
  });

  it('says "why no traffic" of a failing server in Chinese, down to the probe that failed', () => {
    const service = serviceSchema.parse({
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
      scheduler: 'rr',
      destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 1 }],
      health: { enabled: true, checks: [{ kind: 'tcp', intervalMs: 1000, timeoutMs: 500 }] },
    });
    const check = service.health?.checks[0];
    if (!service.health || !check) throw new Error('the service has a check');
    const failed: ProbeResult = {
      ok: false,
      time: 5_000,
      latencyMs: 1,
      ...describedText('probeNoReply', { reason: 'connection refused', reasonId: 'probeConnectionRefused' }),
    };
    let state = initialDestinationState([check], false, 0);
    for (let i = 0; i < 5; i++) state = recordProbe(state, 0, { ...failed, time: 1_000 * (i + 1) }, check, service.health.historySize);
    const [row] = explainService(service, { quorumLost: false, quorumChangedAt: null, destinations: { '10.0.0.1:80': state }, drains: {} }, undefined, 65_000);
    const failing = row?.reasons.find((reason) => reason.code === 'check-failing');
    expect(failing?.message).toMatch(/^health check failing for .*: no reply: connection refused$/);
    expect(failing && localNestedMessage(failing.messageId, failing.params, failing.message)).toMatch(/^健康检查已失败 .+：无应答：连接被拒绝$/);
    // A failing server is not serving: no note on how rr reads weights.
    expect(row?.reasons.map((reason) => reason.code)).not.toContain('scheduler-ignores-weight');
  });

  it('says plural drain texts in Chinese inside the reason that nests them', () => {
    const drain = { message: 'draining: 10 → 1 connection', messageId: 'drainProgress' as const, params: { initial: 10, count: 1, rate: '' } };
    const reason = describedText('whyDrainedBy', { ...drain.params, drain: drain.message, drainId: drain.messageId, by: 'ops' });
    expect(localNestedMessage(reason.messageId, reason.params, reason.message)).toBe('已被操作员（ops）排空：排空中：10 → 1 个连接');
  });
});
