import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { useId } from 'react';

const INPUT = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-100';

export function TextField({ label, hint, className = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-xs font-medium text-slate-600">{label}</label>
      <input id={id} className={INPUT} {...props} />
      {hint ? <span className="text-xs text-slate-600">{hint}</span> : null}
    </div>
  );
}

export function SelectField({ label, hint, children, className = '', ...props }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-xs font-medium text-slate-600">{label}</label>
      <select id={id} className={INPUT} {...props}>{children}</select>
      {hint ? <span className="text-xs text-slate-600">{hint}</span> : null}
    </div>
  );
}

export function CheckboxField({ label, hint, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" className="mt-0.5" {...props} />
      <div className="flex flex-col">
        <label htmlFor={id} className="text-sm">{label}</label>
        {hint ? <span className="text-xs text-slate-600">{hint}</span> : null}
      </div>
    </div>
  );
}
