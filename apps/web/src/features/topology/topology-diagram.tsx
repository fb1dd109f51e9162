// The SVG topology of one service, drawn for its forwarding method: request
// paths solid and animated, reply paths dashed; each server coloured by state
// and each director-to-server edge sized by its live rate. At phone width the
// layout is vertical (layout.ts) and the problem notes are text above it.
import { useSyncExternalStore } from 'react';
import { STATE_STYLES } from '../../components/ui/state-badge';
import type { TopologyLayout } from './layout';
import { t } from '../../lib/i18n';
import { formatNumber } from '../../lib/format-number';

// Theme colours (index.css): the diagram reads in light and dark.
const REQUEST_COLOUR = 'var(--topo-request)';
const REPLY_COLOUR = 'var(--topo-reply)';
const TONE_COLOUR = { problem: 'var(--topo-problem)', note: 'var(--topo-note)' } as const;

/** The width under which the console lays out for a phone (index.css uses the same 640 px). */
const PHONE_QUERY = '(max-width: 640px)';

function subscribePhone(onChange: () => void): () => void {
  const query = window.matchMedia(PHONE_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** True at phone width, following rotation and resizes: the topology turns vertical there. */
export function usePhoneWidth(): boolean {
  return useSyncExternalStore(
    subscribePhone,
    () => window.matchMedia(PHONE_QUERY).matches,
    () => false,
  );
}

export function TopologyDiagram({ layout }: { layout: TopologyLayout }) {
  const { client, director, servers, serverBox } = layout;
  const vertical = layout.orientation === 'vertical';
  const titleId = `topology-title-${layout.vipLabel.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <figure className="flex flex-col gap-2">
      {vertical && layout.notes.length > 0 ? (
        <ul className="flex flex-col gap-0.5 text-xs">
          {layout.notes.map((note) => (
            <li key={note.text} style={{ color: TONE_COLOUR[note.tone] }}>
              {note.tone === 'problem' ? '⚠ ' : '• '}
              {note.text}
            </li>
          ))}
        </ul>
      ) : null}
      {/* The horizontal diagram keeps a readable size and scrolls here when narrow (index.css); focusable so keys scroll it. */}
      <div className={vertical ? '' : 'topology-scroll overflow-x-auto'} tabIndex={vertical ? undefined : 0} role="group" aria-labelledby={titleId}>
        <svg
          role="img"
          aria-labelledby={titleId}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          className={vertical ? 'h-auto w-full' : 'h-auto w-full max-w-[900px]'}
          style={vertical ? undefined : { maxHeight: 640 }}
        >
          <title id={titleId}>{layout.accessibleName}</title>
          <defs>
            <marker
              id="arrow-request"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" fill={REQUEST_COLOUR} />
            </marker>
            <marker
              id="arrow-reply"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="8"
              markerHeight="8"
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" fill={REPLY_COLOUR} />
            </marker>
          </defs>
          <style>{`
          @keyframes lvs-flow { to { stroke-dashoffset: -24; } }
          .lvs-live { stroke-dasharray: 8 4; animation: lvs-flow 1s linear infinite; }
          @media (prefers-reduced-motion: reduce) { .lvs-live { animation: none; } }
        `}</style>
          {layout.segments.map((seg, i) => (
            <g key={`seg-${i}`}>
              <rect
                x={seg.x}
                y={seg.y}
                width={seg.width}
                height={seg.height}
                rx={8}
                fill={layout.method === 'DR' ? 'var(--topo-segment-dr)' : 'var(--topo-segment)'}
                stroke="var(--topo-segment-stroke)"
                strokeDasharray="4 3"
              />
              {seg.label ? (
                <text x={seg.x + seg.width - 8} y={seg.y + 14} textAnchor="end" fontSize={11} fill="var(--topo-muted)">
                  {seg.label}
                </text>
              ) : null}
            </g>
          ))}
          {layout.paths.map((p) => (
            <path
              key={p.id}
              d={p.d}
              fill="none"
              stroke={p.kind === 'request' ? REQUEST_COLOUR : REPLY_COLOUR}
              strokeWidth={p.width}
              strokeOpacity={p.kind === 'request' ? 0.85 : 0.7}
              strokeDasharray={p.kind === 'reply' ? '3 4' : undefined}
              className={p.kind === 'request' && p.width > 2 ? 'lvs-live' : undefined}
              markerEnd={`url(#arrow-${p.kind})`}
            />
          ))}
          {/* Client */}
          <g>
            <circle cx={client.x} cy={client.y} r={24} fill="var(--topo-client)" stroke="var(--topo-muted)" />
            <text x={client.x} y={client.y + 4} textAnchor="middle" fontSize={12} fontWeight={600} fill="var(--topo-text)">
              {t('Client')}
            </text>
          </g>
          {/* Director */}
          <g>
            <rect x={director.x - 40} y={director.y - 36} width={80} height={72} rx={6} fill="#1e293b" stroke="var(--topo-segment-stroke)" />
            <text x={director.x} y={director.y - 16} textAnchor="middle" fontSize={12} fill="#fff" fontWeight={600}>
              {layout.directorLabel}
            </text>
            <text x={director.x} y={director.y + 2} textAnchor="middle" fontSize={10} fill="#cbd5e1" fontFamily="monospace">
              {layout.directorRole}
            </text>
            <text x={director.x} y={director.y + 16} textAnchor="middle" fontSize={10} fill="#cbd5e1" fontFamily="monospace">
              {layout.method === 'NONE' || layout.method === 'MIXED' ? '' : layout.method}
            </text>
            <text x={layout.vipLabelAt.x} y={layout.vipLabelAt.y} textAnchor="middle" fontSize={12} fontFamily="monospace" fill="var(--topo-text)">
              VIP {layout.vipLabel}
            </text>
            <text x={layout.dipLabelAt.x} y={layout.dipLabelAt.y} textAnchor="middle" fontSize={11} fontFamily="monospace" fill="var(--topo-muted)">
              {layout.dipLabel}
            </text>
          </g>
          {(vertical ? [] : layout.notes).map((note, i) => (
            <text key={note.text} x={12} y={16 + i * 14} fontSize={11} fill={TONE_COLOUR[note.tone]}>
              {note.tone === 'problem' ? '⚠ ' : '• '}
              {note.text}
            </text>
          ))}
          {/* Real servers */}
          {servers.map((server) => {
            const style = STATE_STYLES[server.state];
            const compact = servers.length > 12;
            const h = compact ? 18 : 44;
            return (
              <g key={server.id}>
                <rect
                  x={server.x + serverBox.offsetX}
                  y={server.y - h / 2}
                  width={serverBox.width}
                  height={h}
                  rx={5}
                  fill={style.fill}
                  stroke={style.stroke}
                  strokeWidth={1.5}
                />
                <text x={server.x - 52} y={server.y + (compact ? 4 : -6)} fontSize={compact ? 10 : 12} fontFamily="monospace" fill="#0f172a">
                  RIP {server.label}
                </text>
                {compact ? null : (
                  <text x={server.x - 52} y={server.y + 10} fontSize={10} fill="#334155">
                    {t(style.label)} · w {server.weight} · {formatNumber(server.cps, 1)}/s · {t('{{count}} active', { count: server.activeConns })}
                    {server.vipInterface ? t(' · VIP on {{interface}}', { interface: server.vipInterface }) : ''}
                  </text>
                )}
                {server.marker && compact ? (
                  <text
                    x={server.x + serverBox.offsetX + serverBox.width - 4}
                    y={server.y + 4}
                    textAnchor="end"
                    fontSize={9}
                    fontWeight={600}
                    fill={TONE_COLOUR[server.marker.tone]}
                  >
                    {server.marker.tone === 'problem' ? '⚠ ' : ''}
                    {server.marker.short}
                  </text>
                ) : null}
                {server.marker && !compact ? (
                  <text x={server.x + serverBox.offsetX} y={server.y - h / 2 - 4} fontSize={10} fontWeight={600} fill={TONE_COLOUR[server.marker.tone]}>
                    {server.marker.tone === 'problem' ? '⚠ ' : ''}
                    {server.marker.text}
                  </text>
                ) : null}
              </g>
            );
          })}
          {/* Legend */}
          <g fontSize={10} fill="var(--topo-muted)">
            <g transform={`translate(${layout.legend.paths.x}, ${layout.legend.paths.y})`}>
              <line x1={0} y1={-3} x2={22} y2={-3} stroke={REQUEST_COLOUR} strokeWidth={2.5} />
              <text x={26} y={0}>
                {t('request')}
              </text>
              <line x1={80} y1={-3} x2={102} y2={-3} stroke={REPLY_COLOUR} strokeWidth={1.5} strokeDasharray="3 4" />
              <text x={106} y={0}>
                {t('reply')}
              </text>
            </g>
            {(['serving', 'draining', 'failing', 'overloaded'] as const).map((state, i) => (
              <g key={state} transform={`translate(${layout.legend.states.x + i * 80}, ${layout.legend.states.y})`}>
                <rect x={0} y={-9} width={10} height={10} fill={STATE_STYLES[state].fill} stroke={STATE_STYLES[state].stroke} />
                <text x={14} y={0}>
                  {t(STATE_STYLES[state].label)}
                </text>
              </g>
            ))}
          </g>
        </svg>
      </div>
      <figcaption className="text-xs text-slate-600">{layout.caption}</figcaption>
    </figure>
  );
}
