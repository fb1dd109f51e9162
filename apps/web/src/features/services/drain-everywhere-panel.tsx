// "Drain a real server everywhere": pick a host that serves several services,
// see the plan (weight 0 in each), apply it as one change.
import { memo, useMemo, useState } from 'react';
import type { DesiredState } from '@lvs-console/shared';
import { Panel } from '../../components/ui/panel';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { t } from '../../lib/i18n';
import { drainEverywhere, realServersAcrossServices } from './drain-everywhere';

/** Memoised: the services list re-renders per keystroke, while the desired state changes only with a revision. */
export const DrainEverywherePanel = memo(function DrainEverywherePanel({ state }: { state: DesiredState }) {
  const servers = useMemo(() => realServersAcrossServices(state), [state]);
  const [address, setAddress] = useState('');
  const chosen = servers.find((s) => s.address === address);
  const drained = chosen ? drainEverywhere(state, chosen.address) : null;
  return (
    <Panel title={t('Drain a real server everywhere')}>
      <div className="flex flex-col gap-2 text-sm">
        <p className="text-slate-600">
          {t('Weight 0 in every service the server is in, as one change: existing connections finish, new ones go to the other servers.')}
        </p>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-600">{t('Real server')}</span>
          <select
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            className="max-w-md rounded border border-slate-300 bg-white px-2 py-1 font-mono"
          >
            <option value="">{t('Choose a real server…')}</option>
            {servers.map((s) => (
              <option key={s.address} value={s.address}>
                {t('{{address}} (in {{count}} services)', { address: s.address, count: s.services.length })}
              </option>
            ))}
          </select>
        </label>
        {chosen ? (
          <ul className="flex flex-col gap-0.5 font-mono text-xs">
            {chosen.services.map((s) => (
              <li key={`${s.id}:${s.port}`}>
                {s.label} → {chosen.address}:{s.port} · {t('weight {{from}} → {{to}}', { from: s.weight, to: 0 })}
              </li>
            ))}
          </ul>
        ) : null}
        {chosen && !drained ? <p className="text-slate-600">{t('Already at weight 0 everywhere.')}</p> : null}
        <ApplyWithPreview
          key={address}
          edit={drained ? { op: 'replace-state', state: drained } : null}
          applyLabel={t('Drain everywhere')}
          disabled={!drained}
        />
      </div>
    </Panel>
  );
});
