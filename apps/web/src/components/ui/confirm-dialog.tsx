// A modal question before a destructive step: says what will happen (the
// ipvsadm lines, the count of services deleted) and runs nothing until the
// operator confirms. Escape or Cancel closes it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './button';
import { msg, t } from '../../lib/i18n';

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy = false,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const titleId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // The safe choice has the focus: Enter does not delete anything.
    cancelRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="flex max-h-[80vh] w-full max-w-xl flex-col gap-3 overflow-auto rounded bg-white p-4 shadow-xl"
      >
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <div className="flex flex-col gap-2 text-sm">{children}</div>
        <div className="flex justify-end gap-2">
          <button ref={cancelRef} type="button" onClick={onCancel} className="rounded px-2.5 py-1 text-sm font-medium text-slate-700 hover:bg-slate-200">
            {t('Cancel')}
          </button>
          <Button variant="danger" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}

/** ipvsadm lines in a dialog: what will run. */
export function LinesToRun({ lines, label = msg('These ipvsadm lines will run') }: { lines: readonly string[]; label?: string }) {
  return (
    <div role="group" aria-label={t(label)} className="flex flex-col gap-1">
      <p className="font-medium">{t(label)}</p>
      {lines.length === 0 ? (
        <p className="text-slate-600">{t('No ipvsadm lines: the kernel already matches.')}</p>
      ) : (
        <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">{lines.join('\n')}</pre>
      )}
    </div>
  );
}
