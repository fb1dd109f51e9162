// Issue 19 point 1: the readers of a keepalived.conf and an ipvsadm paste give
// each error a message id and parameters; the console says it in Chinese
// while the English text stays for the CLI and the API.
import { describe, expect, it } from 'vitest';
import { describedText, messageText, nestedParams } from '@lvs-console/shared';
import { validateService } from '@lvs-console/shared/validate';
import { nothingToImportSaid, readPaste } from '@lvs-console/shared/ipvsadm';
import { readKeepalivedConf } from '@lvs-console/shared/keepalived';
import { localMessage, localNestedMessage } from '../src/lib/error-text';
import en from '../src/locales/en';
import zhCN from '../src/locales/zh-CN';
import { useChineseCatalog } from './chinese-catalog';
import { KEEPALIVED_WITH_WARNINGS } from './keepalived-with-warnings';

type Said = { message: string; messageId?: unknown; params?: Record<string, string | number> };
const local = (said: Said | undefined) => (said ? localNestedMessage(said.messageId, said.params, said.message) : '');

describe('import errors in Chinese', () => {
  useChineseCatalog();

  it('an ipvsadm paste: unknown option, a missing value, a host name', () => {
    const read = readPaste('ipvsadm -A -t 192.0.2.1:80 --bogus\nipvsadm -A -t 192.0.2.2:80 -s\nipvsadm -A -t www.example.com:80 -s rr');
    expect(read.ok).toBe(false);
    expect(read.errors.map((e) => e.path)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(read.errors.map((e) => e.message)).toEqual([
      'unknown option --bogus',
      '-s needs a value',
      messageText('importHostName', { host: 'www.example.com' }),
    ]);
    expect(read.errors.map(local)).toEqual([
      '未知选项 --bogus',
      '-s 需要一个参数值',
      '“www.example.com”是主机名；不带 -n 时 ipvsadm 会打印名称，而这里无法解析它们：请粘贴 `ipvsadm -S -n` 或 `ipvsadm -L -n` 的输出，或直接写地址',
    ]);
  });

  it('a skipped line says why in Chinese', () => {
    const read = readPaste('RIP=10.0.0.1\nipvsadm -L -n\nipvsadm -A -t 192.0.2.1:80 -s rr');
    expect(read.skipped.map((s) => s.why)).toEqual(['sets the shell variable RIP=10.0.0.1 (later ipvsadm lines may use $RIP)', messageText('skipList')]);
    expect(read.skipped.map((s) => localMessage(s.whyId, s.whyParams, s.why))).toEqual([
      '设置 shell 变量 RIP=10.0.0.1（后面的 ipvsadm 行可以使用 $RIP）',
      '列表命令；它的输出显示规则表，而规则表由命令建立',
    ]);
  });

  it('a keepalived.conf: unbalanced braces, a bad port, an unknown block, a missing quote', () => {
    const braces = readKeepalivedConf('virtual_server 192.0.2.1 80 {\n  lb_algo rr\n');
    expect(braces.notes.filter((n) => n.level === 'error').map(local)).toContain('花括号不配对：此处的“{”没有闭合');

    const port = readKeepalivedConf('virtual_server 192.0.2.1 99999 {\n}\n');
    const [portError] = port.notes.filter((n) => n.level === 'error');
    expect(portError?.message).toBe('virtual_server 192.0.2.1: port "99999" must be 0..65535');
    expect(local(portError)).toBe('virtual_server 192.0.2.1：端口“99999”必须在 0..65535 之间');

    const unknown = readKeepalivedConf('bogus_block {\n}\n');
    expect(unknown.notes.filter((n) => n.level === 'error').map(local)).toEqual(['顶层有未知的块“bogus_block”']);
    const quote = readKeepalivedConf('virtual_server 192.0.2.1 80 {\n  notification_email "x\n}\n');
    expect(quote.notes.filter((n) => n.level === 'error').map(local)).toContain('缺少闭合的 "');
  });

  /** A text is said in Chinese: it has Han characters and is none of the English catalog's texts. */
  const englishTexts = new Set([...Object.keys(zhCN), ...Object.values(en)]);
  const saysChinese = (text: string) => /\p{Script=Han}/u.test(text) && !englishTexts.has(text);

  it("a keepalived.conf's warnings: each has an id and says itself in Chinese", () => {
    const read = readKeepalivedConf(KEEPALIVED_WITH_WARNINGS);
    expect(read.notes.filter((n) => n.level === 'error')).toEqual([]);
    const warnings = read.notes.filter((n) => n.level === 'warning');
    expect(warnings.length).toBeGreaterThanOrEqual(8);
    expect(warnings.filter((w) => w.messageId === undefined).map((w) => w.message)).toEqual([]);
    expect(warnings.map(local).filter((text) => !saysChinese(text))).toEqual([]);
    // The English text stays for the CLI and the API.
    expect(warnings.map((w) => w.message)).toContain(
      'global_defs lvs_flush: the console never flushes the table; it changes only what differs from the desired state',
    );
    expect(warnings.map(local)).toContain('global_defs lvs_flush：控制台从不清空规则表；它只修改与期望状态不同的部分');
    // An ignored top-level block nests its reason: both parts in Chinese.
    expect(warnings.map(local)).toContain('vrrp_script chk：控制台不使用 VRRP 脚本');
  });

  it("an ipvsadm paste's rule refusals and option values say themselves in Chinese", () => {
    const read = readPaste(
      [
        'ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.1:80 -g',
        'ipvsadm -A -t 192.0.2.2:80 -s bogus',
        'ipvsadm -A -t 192.0.2.3:80 -s rr',
        'ipvsadm -a -t 192.0.2.3:80 -r 10.0.0.1:80 -g -w 99999',
        'ipvsadm -a -t 192.0.2.3:80 -r 10.0.0.2:8080 -g',
        'ipvsadm -A -t 192.0.2.4:80 -s rr -t 192.0.2.5:80',
        'ipvsadm -a -t 192.0.2.3:80 -r 10.0.0.300:80 -g',
      ].join('\n'),
    );
    expect(read.ok).toBe(false);
    expect(read.errors.map((e) => e.path)).toEqual(['line 1', 'line 2', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(read.errors.filter((e) => e.messageId === undefined).map((e) => e.message)).toEqual([]);
    expect(read.errors.map(local).filter((text) => !saysChinese(text))).toEqual([]);
    expect(read.errors[0]?.message).toBe('service TCP 192.0.2.1:80 is not defined');
    expect(local(read.errors[0])).toBe('服务 TCP 192.0.2.1:80 未定义');
    // A value out of range names what it is in Chinese too.
    expect(local(read.errors[2])).toBe('权重 99999 超出范围 0..65535');
  });

  it('a paste with nothing to import says so in Chinese', () => {
    const read = readPaste('ipvsadm -L -n\n# a comment');
    expect(read.source).toBe('nothing');
    const nothing = nothingToImportSaid(read);
    expect(nothing.message).toBe('no ipvsadm commands or listing found (2 lines skipped); nothing to import');
    expect(local(nothing)).toBe('没有找到 ipvsadm 命令或列表（跳过了 2 行）；没有可导入的内容');
    expect(local(nothingToImportSaid({ skipped: read.skipped.slice(0, 1) }))).toBe('没有找到 ipvsadm 命令或列表（跳过了 1 行）；没有可导入的内容');
  });

  it('a validation issue nested in an import error says both parts in Chinese', () => {
    const checked = validateService({
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
      scheduler: 'wlc',
      flags: [],
      onePacket: false,
      persistence: null,
      destinations: [{ address: '10.0.0.1', port: 8080, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    });
    if (checked.ok) throw new Error('a DR server on another port is refused');
    const [issue] = checked.issues;
    if (!issue) throw new Error('one issue');
    const said = describedText('importServiceIssue', nestedParams('issue', issue, { label: 'TCP 192.0.2.1:80', path: issue.path }));
    expect(said.message).toBe(`TCP 192.0.2.1:80: ${issue.message} (${issue.path})`);
    expect(local(said)).toBe(
      `TCP 192.0.2.1:80：DR 不能改变端口：真实服务器端口必须是 80（服务端口），而不是 8080；要映射端口请使用 NAT（masq）（${issue.path}）`,
    );
  });
});
