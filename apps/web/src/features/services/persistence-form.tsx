// Persistence (-p timeout, -M netmask, --pe sip) and one-packet scheduling
// (-o), with the kernel's guard rails said in words.
import { useState } from 'react';
import type { Service } from '@lvs-console/shared';
import { DEFAULT_PERSISTENCE_TIMEOUT, ipv4PrefixMask, serviceFamily } from '@lvs-console/shared';
import { CheckboxField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { t } from '../../lib/i18n';

export function PersistenceForm({ service, isAdmin }: { service: Service; isAdmin: boolean }) {
  const family = serviceFamily(service.key);
  const maxPrefix = family === 'inet6' ? 128 : 32;
  const [enabled, setEnabled] = useState(service.persistence !== null);
  const [timeout, setTimeoutText] = useState(String(service.persistence?.timeout ?? DEFAULT_PERSISTENCE_TIMEOUT));
  const [prefix, setPrefix] = useState(String(service.persistence?.netmaskPrefix ?? maxPrefix));
  const [sip, setSip] = useState(service.persistence?.engine === 'sip');
  const [onePacket, setOnePacket] = useState(service.onePacket);
  const portZero = service.key.kind === 'addr' && service.key.port === 0;
  const udpOrFwmark = service.key.kind === 'fwmark' || service.key.protocol === 'udp';

  const timeoutN = Number(timeout);
  const prefixN = Number(prefix);
  const problems: string[] = [];
  if (enabled && (!Number.isInteger(timeoutN) || timeoutN < 1)) problems.push(t('The timeout is a whole number of seconds, at least 1.'));
  if (enabled && (!Number.isInteger(prefixN) || prefixN < (family === 'inet6' ? 1 : 0) || prefixN > maxPrefix))
    problems.push(t('The netmask prefix is {{min}}..{{max}}.', { min: family === 'inet6' ? 1 : 0, max: maxPrefix }));
  if (!enabled && portZero) problems.push(t('Port 0 (all ports) needs persistence: the kernel refuses a port-0 service without it.'));
  if (onePacket && !udpOrFwmark) problems.push(t('One-packet scheduling (-o) applies to UDP and fwmark services only.'));

  const persistence = enabled
    ? { timeout: timeoutN, ...(prefixN !== maxPrefix ? { netmaskPrefix: prefixN } : {}), ...(sip ? { engine: 'sip' as const } : {}) }
    : null;
  const patch = { persistence, onePacket };
  const changed = JSON.stringify(persistence) !== JSON.stringify(service.persistence) || onePacket !== service.onePacket;
  return (
    <div className="flex flex-col gap-3">
      <CheckboxField
        label={t('Persistent (-p): keep each client on the same real server')}
        checked={enabled}
        disabled={!isAdmin}
        onChange={(e) => setEnabled(e.target.checked)}
      />
      {enabled ? (
        <div className="flex flex-wrap gap-3">
          <TextField
            label={t('Timeout in seconds')}
            type="number"
            min={1}
            value={timeout}
            disabled={!isAdmin}
            onChange={(e) => setTimeoutText(e.target.value)}
            className="w-36"
            hint={t('After the last connection closes, how long the client still sticks (default 300).')}
          />
          <TextField
            label={t('Client netmask prefix (-M)')}
            type="number"
            min={0}
            max={maxPrefix}
            value={prefix}
            disabled={!isAdmin}
            onChange={(e) => setPrefix(e.target.value)}
            className="w-44"
            hint={
              family === 'inet' && Number.isInteger(prefixN) && prefixN >= 0 && prefixN <= 32
                ? t('= {{mask}}: clients in one /{{prefix}} share a server', { mask: ipv4PrefixMask(prefixN), prefix: prefixN })
                : t('clients sharing this prefix share a server')
            }
          />
        </div>
      ) : null}
      {enabled ? (
        <CheckboxField
          label={t('SIP persistence engine (--pe sip)')}
          hint={t('Group by SIP Call-ID instead of client address.')}
          checked={sip}
          disabled={!isAdmin}
          onChange={(e) => setSip(e.target.checked)}
        />
      ) : null}
      <CheckboxField
        label={t('One-packet scheduling (-o)')}
        hint={t('Schedule each UDP datagram on its own; no connection entry (UDP and fwmark only).')}
        checked={onePacket}
        disabled={!isAdmin}
        onChange={(e) => setOnePacket(e.target.checked)}
      />
      <ul className="list-disc pl-5 text-xs text-slate-600">
        <li>
          {t(
            'While persistent, a drained server (weight 0) still gets returning clients until their template expires, unless expire_quiescent_template=1 (Settings).',
          )}
        </li>
        <li>{t('FTP behind DR or TUN needs persistence; behind NAT it needs the ip_vs_ftp helper instead.')}</li>
        <li>{t('A wide netmask (e.g. /24) keeps clients behind one proxy together but can load servers unevenly.')}</li>
      </ul>
      {problems.map((p) => (
        <Notice key={p} tone="error">
          {p}
        </Notice>
      ))}
      {isAdmin ? (
        <ApplyWithPreview
          disabled={!changed}
          edit={problems.length === 0 ? { op: 'edit-service', service: service.key, patch } : null}
          applyLabel={t('Apply persistence')}
        />
      ) : null}
    </div>
  );
}
