// Words the agent sends as codes or inside parameters, and the alerts of the
// delivery log, in the console's language (web13): a role of "system", a sync
// daemon's state, an onFailure rule, "none", a refusal's reason and counts.
import { describe, expect, it } from 'vitest';
import { describedEdit, refusalSummaryText } from '@lvs-console/shared/api';
import { applyFailedEvent, deriveAlertEvents, testEvent, type AlertEvent, type AlertSnapshot } from '@lvs-console/shared/alerts';
import { describedText, recordedWhat, serviceHealthSchema, wordParam } from '@lvs-console/shared';
import { localIssue, localRecorded } from '../src/lib/error-text';
import { codeLabel } from '../src/lib/labels';
import { localRefusalError } from '../src/features/changes/refusal-text';
import { useChineseCatalog } from './chinese-catalog';

const said = recordedWhat;
const alertPart = (e: AlertEvent) => ({ what: e.summary, ...(e.summaryId ? { whatId: e.summaryId, whatParams: e.summaryParams } : {}) });
/** Latin words left in a Chinese text (addresses, interface names and ids aside). */
const latinWords = (text: string) => text.match(/[A-Za-z]{3,}/g) ?? [];

describe('agent words in Chinese', () => {
  useChineseCatalog();

  it('labels the agent’s own role', () => {
    expect(codeLabel('system')).toBe('系统');
    expect(codeLabel('operator')).toBe('操作员');
    expect(codeLabel('something-new')).toBe('something-new');
    expect(codeLabel('MASTER')).toBe('主（MASTER）');
    expect(codeLabel('backup')).toBe('备份');
  });

  it('says the sync daemon state of an ipvsadm refusal as a word', () => {
    const issue = {
      path: 'line 2',
      message: 'the master sync daemon is already running',
      messageId: 'ipvsDaemonRunning',
      params: wordParam('state', 'master'),
    } as const;
    expect(localIssue(issue)).toBe('主 同步守护进程已在运行');
  });

  it('says a sync daemon edit with its states translated', () => {
    const daemons = (['master', 'backup'] as const).map((state, i) => ({ state, interface: `eth${i}`, syncId: 7 + i }));
    const edit = describedEdit({ op: 'set-sync-daemons', daemons });
    expect(localRecorded(said(edit))).toBe('设置同步守护进程：主，接口 eth0（ID 7）；备份，接口 eth1（ID 8）');
    // An entry recorded before the states had ids: its parameters as they came, inside the Chinese sentence.
    expect(localRecorded({ what: edit.message, whatId: 'editSyncDaemons', whatParams: { daemons: 'master on eth0 (id 7)' } })).toBe(
      '设置同步守护进程：master on eth0 (id 7)',
    );
  });

  it('says the onFailure rule, a role and "none" as words', () => {
    const service = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
    const health = describedEdit({ op: 'set-health', service, health: serviceHealthSchema.parse({ enabled: false, checks: [], onFailure: 'remove' }) });
    expect(localRecorded(said(health))).toBe('设置 TCP 192.0.2.10:80 的健康检查：关闭，失败时 移除');
    const user = describedText('auditUserAdded', { name: 'kim', ...wordParam('role', 'operator') });
    expect(localRecorded(said(user))).toContain('操作员');
    const notify = describedText('auditNotifyOn', { webhooks: 0, ...wordParam('ids', 'none'), groupWait: 0, repeat: 1000 });
    const text = localRecorded(said(notify));
    expect(text).toContain('（无）');
    expect(latinWords(text)).toEqual(['webhook']);
  });

  it('says each alert of a delivery, a failed apply with its change nested', () => {
    const before: AlertSnapshot = {
      destinations: { 'tcp:192.0.2.10:80 10.0.0.1:80': { service: 'tcp:192.0.2.10:80', destination: '10.0.0.1:80', healthy: true, drainFinished: false } },
      services: {},
      drift: { count: 0, descriptions: [] },
      vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'BACKUP' } },
    };
    const after: AlertSnapshot = {
      ...before,
      destinations: { 'tcp:192.0.2.10:80 10.0.0.1:80': { service: 'tcp:192.0.2.10:80', destination: '10.0.0.1:80', healthy: false, drainFinished: false } },
      vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'MASTER' } },
    };
    const [down, failover] = deriveAlertEvents(before, after, 1);
    expect(down && localRecorded(alertPart(down))).toBe('tcp:192.0.2.10:80 的真实服务器 10.0.0.1:80 已下线');
    expect(failover && localRecorded(alertPart(failover))).toBe('d1 成为 VRRP 实例 VI_1 的主调度器（MASTER），之前为备（BACKUP）');
    const weight = describedText('editWeight', { server: '10.0.0.1:80', service: 'TCP 192.0.2.10:80', weight: 0 });
    const failed = applyFailedEvent(1, 'admin', said(weight), 'No such file or directory');
    expect(localRecorded(alertPart(failed))).toBe('“把 TCP 192.0.2.10:80 中 10.0.0.1:80 的权重设为 0”应用到内核时失败：No such file or directory');
    expect(localRecorded(alertPart(testEvent(1, 'admin')))).toBe('admin 发送的测试通知');
    // A delivery logged before ids: its English words.
    expect(localRecorded({ what: 'test notification sent by admin' })).toBe('admin 发送的测试通知');
  });

  it('says why calls without a valid token were refused, one reason or the counts', () => {
    expect(localRefusalError('no token')).toBe('没有令牌');
    const summary = refusalSummaryText([
      { reason: 'no token', procedure: 'services.remove', calls: 100 },
      { reason: 'wrong or expired token', procedure: '(unknown procedure) (batch of 3)', calls: 2 },
      { reason: 'other', procedure: null, calls: 5 },
    ]);
    expect(localRefusalError(summary)).toBe('没有令牌：services.remove ×100；令牌错误或已过期：（未知过程）（批量请求，共 3 个调用） ×2；其他 ×5');
    // Any other error stays as recorded.
    expect(localRefusalError('the socket closed')).toBe('the socket closed');
  });
});
