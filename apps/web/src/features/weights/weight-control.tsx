// A weight slider with an exact number field. The change is committed when
// the operator lets go (pointer up, key up, or a pause for assistive tech),
// not on every step of a drag.
import { useEffect, useId, useRef, useState } from 'react';
import { MAX_WEIGHT } from '@lvs-console/shared';
import { parseWeight } from './share-math';
import { t } from '../../lib/i18n';

const IDLE_COMMIT_MS = 700;
/** Arrow keys: wait this long after the last key is released, so a run of presses commits once. */
const KEY_COMMIT_MS = 700;

export function WeightControl({
  endpoint,
  weight,
  max,
  disabled,
  onDraft,
  onCommit,
}: {
  endpoint: string;
  weight: number;
  max: number;
  disabled?: boolean;
  /** Every intermediate value, for live predictions. null when the draft ends. */
  onDraft: (weight: number | null) => void;
  onCommit: (weight: number) => void;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [textError, setTextError] = useState<string | null>(null);
  const pointerDown = useRef(false);
  const idleTimer = useRef<number | undefined>(undefined);
  const draftRef = useRef<number | null>(null);
  const errorId = useId();

  useEffect(() => () => window.clearTimeout(idleTimer.current), []);

  const commit = () => {
    window.clearTimeout(idleTimer.current);
    const value = draftRef.current;
    draftRef.current = null;
    setDraft(null);
    onDraft(null);
    if (value !== null && value !== weight) onCommit(value);
  };

  const change = (value: number) => {
    draftRef.current = value;
    setDraft(value);
    onDraft(value);
    window.clearTimeout(idleTimer.current);
    // Keyboard and pointer releases commit at once; this catches other inputs (screen readers).
    if (!pointerDown.current) idleTimer.current = window.setTimeout(commit, IDLE_COMMIT_MS);
  };

  const shown = draft ?? weight;
  const sliderMaxValue = Math.max(max, shown);
  return (
    <div className="flex items-center gap-2">
      <input
        type="range"
        min={0}
        max={sliderMaxValue}
        step={1}
        value={shown}
        disabled={disabled}
        aria-label={t('Weight of {{server}}', { server: endpoint })}
        aria-valuetext={shown === 0 ? t('0 (quiescent: no new connections)') : String(shown)}
        className="w-24 accent-slate-700"
        onChange={(e) => change(Number(e.target.value))}
        onPointerDown={() => {
          pointerDown.current = true;
        }}
        onPointerUp={() => {
          pointerDown.current = false;
          commit();
        }}
        onKeyUp={(e) => {
          if (e.key.startsWith('Arrow') || ['Home', 'End', 'PageUp', 'PageDown'].includes(e.key)) {
            window.clearTimeout(idleTimer.current);
            idleTimer.current = window.setTimeout(commit, KEY_COMMIT_MS);
          }
        }}
        onBlur={() => {
          if (draftRef.current !== null) commit();
        }}
      />
      <input
        type="number"
        min={0}
        max={MAX_WEIGHT}
        step={1}
        inputMode="numeric"
        disabled={disabled}
        aria-label={t('Exact weight of {{server}}', { server: endpoint })}
        aria-invalid={textError ? true : undefined}
        aria-describedby={textError ? errorId : undefined}
        className="w-[4.5rem] rounded border border-slate-300 px-1.5 py-0.5 text-right font-mono text-sm"
        value={text ?? String(shown)}
        onChange={(e) => {
          setText(e.target.value);
          setTextError(null);
        }}
        onBlur={() => {
          if (text !== null) submitText();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') submitText();
          if (e.key === 'Escape') {
            setText(null);
            setTextError(null);
          }
        }}
      />
      {textError ? (
        <span id={errorId} role="alert" className="text-xs text-red-700">
          {textError}
        </span>
      ) : null}
    </div>
  );

  function submitText() {
    if (text === null) return;
    const parsed = parseWeight(text);
    if (!parsed.ok) {
      setTextError(parsed.message);
      return;
    }
    setText(null);
    if (parsed.weight !== weight) onCommit(parsed.weight);
  }
}
