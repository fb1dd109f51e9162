import { useId, type ReactNode } from 'react';

/** A titled section; the heading names the region for screen readers. */
export function Panel({
  title,
  actions,
  children,
  className = '',
  headingLevel = 2,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  headingLevel?: 2 | 3;
}) {
  // useId, not the title: translated titles share no ASCII to build an id from.
  const id = useId();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id} className={`rounded-md border border-slate-200 bg-white shadow-sm ${className}`}>
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-3 py-2">
        <Heading id={id} className="text-sm font-semibold text-slate-800">
          {title}
        </Heading>
        {/* Actions wrap under the title on a phone instead of widening the page. */}
        {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
      </header>
      <div className="p-3">{children}</div>
    </section>
  );
}
