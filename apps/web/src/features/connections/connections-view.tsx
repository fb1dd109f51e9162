// The kernel's connection table for one service (ipvsadm -Lcn), filtered and
// paged, persistence templates optional, always saying how many there are.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ServiceKey } from '@lvs-console/shared';
import { canonicalIp, formatEndpoint } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField, SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { errorMessage, trpc } from '../../lib/trpc';
import { t } from '../../lib/i18n';

const PAGE_SIZE = 50;
const STATES = ['', 'ESTABLISHED', 'SYN_RECV', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'SYNACK', 'UDP', 'NONE'];

function formatExpires(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export default function ConnectionsView({ serviceKey }: { serviceKey: ServiceKey }) {
  const [state, setState] = useState('');
  const [client, setClient] = useState('');
  const [dest, setDest] = useState('');
  const [templates, setTemplates] = useState(true);
  const [page, setPage] = useState(0);
  const destAddress = canonicalIp(dest.trim()) ?? undefined;
  const clientPrefix = /^[0-9a-fA-F:.]{1,45}(\/\d{1,3})?$/.test(client.trim()) ? client.trim() : undefined;
  const input = {
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
    ...(serviceKey.kind === 'addr' ? { virtualAddress: serviceKey.address, virtualPort: serviceKey.port, protocol: serviceKey.protocol } : {}),
    ...(state ? { state } : {}),
    ...(clientPrefix ? { clientPrefix } : {}),
    ...(destAddress ? { destAddress } : {}),
    includeTemplates: templates,
  };
  const query = useQuery({ ...trpc.connections.list.queryOptions(input), refetchInterval: 3000, placeholderData: keepPreviousData });
  const data = query.data;
  const pages = data ? Math.max(1, Math.ceil(data.matched / PAGE_SIZE)) : 1;
  return (
    <Panel title={t('Connections')}>
      <form className="mb-3 flex flex-wrap items-end gap-3" aria-label={t('Connection filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('State')}
          value={state}
          onChange={(e) => {
            setState(e.target.value);
            setPage(0);
          }}
        >
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s || t('All')}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('Client prefix or CIDR')}
          placeholder="198.51.100.0/24"
          value={client}
          onChange={(e) => {
            setClient(e.target.value);
            setPage(0);
          }}
        />
        <TextField
          label={t('Real server address')}
          placeholder="10.0.0.7"
          value={dest}
          onChange={(e) => {
            setDest(e.target.value);
            setPage(0);
          }}
        />
        <CheckboxField
          label={t('Include persistence templates')}
          checked={templates}
          onChange={(e) => {
            setTemplates(e.target.checked);
            setPage(0);
          }}
        />
      </form>
      {query.error ? <Notice tone="error">{errorMessage(query.error)}</Notice> : null}
      {data ? (
        <p className="mb-2 text-sm text-slate-700" role="status">
          {t("{{matched}} matching of {{total}} entries in the kernel's table; showing {{first}}–{{last}}.", {
            matched: data.matched,
            total: data.total,
            first: data.entries.length === 0 ? 0 : page * PAGE_SIZE + 1,
            last: page * PAGE_SIZE + data.entries.length,
          })}
          <span className="text-xs text-slate-600">
            {' '}
            {t('Reading the table costs the kernel time at scale: pages are bounded to {{count}}.', { count: PAGE_SIZE })}
          </span>
        </p>
      ) : (
        <p role="status" className="text-sm text-slate-600">
          {t('Loading…')}
        </p>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="sr-only">{t('Connection table')}</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-2 py-1">
                {t('Pro')}
              </th>
              <th scope="col" className="px-2 py-1">
                {t('Client')}
              </th>
              <th scope="col" className="px-2 py-1">
                {t('Virtual')}
              </th>
              <th scope="col" className="px-2 py-1">
                {t('Real server')}
              </th>
              <th scope="col" className="px-2 py-1">
                {t('State')}
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                {t('Expires')}
              </th>
            </tr>
          </thead>
          <tbody className="font-mono text-xs">
            {data?.entries.map((c, i) => (
              <tr
                key={`${c.clientAddress}:${c.clientPort}>${c.destAddress}:${c.destPort}:${i}`}
                className={`border-t border-slate-100 ${c.template ? 'text-purple-800' : ''}`}
              >
                <td className="px-2 py-0.5">{c.template ? t('IP (template)') : c.protocol}</td>
                <td className="px-2 py-0.5">{formatEndpoint(c.clientAddress, c.clientPort)}</td>
                <td className="px-2 py-0.5">{formatEndpoint(c.virtualAddress, c.virtualPort)}</td>
                <td className="px-2 py-0.5">{formatEndpoint(c.destAddress, c.destPort)}</td>
                <td className="px-2 py-0.5">{c.state}</td>
                <td className="px-2 py-0.5 text-right">{formatExpires(c.expiresIn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="mt-2 flex items-center gap-2">
        <Button disabled={page === 0} onClick={() => setPage(page - 1)}>
          {t('Previous page')}
        </Button>
        <span className="text-sm">{t('Page {{page}} of {{pages}}', { page: page + 1, pages })}</span>
        <Button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          {t('Next page')}
        </Button>
      </div>
    </Panel>
  );
}
