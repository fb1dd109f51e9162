// The SVG topology of one service, drawn for its forwarding method: request
// paths solid and animated, reply paths dashed; each server coloured by state
// and each director-to-server edge sized by its live rate.
import { STATE_STYLES } from '../../components/ui/state-badge';
import type { TopologyLayout } from './layout';
import { t } from '../../lib/i18n';
import { formatNumber } from '../../lib/format-number';

// Theme colours (index.css): the diagram reads in light and dark.
const REQUEST_COLOUR = 'var(--topo-request)';
const REPLY_COLOUR = 'var(--topo-reply)';
const TONE_COLOUR = { problem: 'var(--topo-problem)', note: 'var(--topo-note)' } as const;

export function TopologyDiagram({ layout }: { layout: TopologyLayout }) {
  const { client, director, servers } = layout;
  const titleId = `topology-title-${layout.vipLabel.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <figure className="flex flex-col gap-2">
      {/* At phone width the diagram keeps a readable size and scrolls here (index.css); focusable so keys scroll it. */}
      <div className="topology-scroll overflow-x-auto" tabIndex={0} role="group" aria-labelledby={titleId}>
        <svg
          role="img"
          aria-labelledby={titleId}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          className="h-auto w-full max-w-[900px]"
          style={{ maxHeight: 640 }}
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
            <text x={director.x} y={director.y - 46} textAnchor="middle" fontSize={12} fontFamily="monospace" fill="var(--topo-text)">
              VIP {layout.vipLabel}
            </text>
            <text x={director.x} y={director.y + 52} textAnchor="middle" fontSize={11} fontFamily="monospace" fill="var(--topo-muted)">
              {layout.dipLabel}
            </text>
          </g>
          {layout.notes.map((note, i) => (
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
                <rect x={server.x - 60} y={server.y - h / 2} width={220} height={h} rx={5} fill={style.fill} stroke={style.stroke} strokeWidth={1.5} />
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
                  <text x={server.x + 156} y={server.y + 4} textAnchor="end" fontSize={9} fontWeight={600} fill={TONE_COLOUR[server.marker.tone]}>
                    {server.marker.tone === 'problem' ? '⚠ ' : ''}
                    {server.marker.short}
                  </text>
                ) : null}
                {server.marker && !compact ? (
                  <text x={server.x - 60} y={server.y - h / 2 - 4} fontSize={10} fontWeight={600} fill={TONE_COLOUR[server.marker.tone]}>
                    {server.marker.tone === 'problem' ? '⚠ ' : ''}
                    {server.marker.text}
                  </text>
                ) : null}
              </g>
            );
          })}
          {/* Legend */}
          <g transform={`translate(12, ${layout.height - 18})`} fontSize={10} fill="var(--topo-muted)">
            <line x1={0} y1={-3} x2={22} y2={-3} stroke={REQUEST_COLOUR} strokeWidth={2.5} />
            <text x={26} y={0}>
              {t('request')}
            </text>
            <line x1={80} y1={-3} x2={102} y2={-3} stroke={REPLY_COLOUR} strokeWidth={1.5} strokeDasharray="3 4" />
            <text x={106} y={0}>
              {t('reply')}
            </text>
            {(['serving', 'draining', 'failing', 'overloaded'] as const).map((state, i) => (
              <g key={state} transform={`translate(${160 + i * 80}, 0)`}>
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
