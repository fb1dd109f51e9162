// A screen's state that lives in the URL, answering at once. The router
// commits a new URL a few microtasks after the event that asked for it; a
// controlled search box or checkbox bound straight to the URL would snap back
// for that moment (characters typed meanwhile lost, Playwright's check()
// seeing no change). The screen shows its own latest choice until the URL
// has caught up with every commit it made; a URL that moves to anything else
// (back, forward, a link) wins.
import { useEffect, useRef, useState } from 'react';

/**
 * @param fromUrl the typed value the router parsed from the URL
 * @param keyOf the value as URL text (the screen's format function): equal keys mean the same state
 * @param commit writes a value into the URL (a router navigation)
 */
export function useSearchState<T>(fromUrl: T, keyOf: (value: T) => string, commit: (value: T) => void): [T, (next: T) => void] {
  const urlKey = keyOf(fromUrl);
  const [draft, setDraft] = useState<{ value: T } | null>(null);
  // Keys committed and not yet seen in the URL, oldest first (commits land in order).
  const pending = useRef<string[]>([]);
  useEffect(() => {
    const landed = pending.current.indexOf(urlKey);
    if (landed >= 0) {
      pending.current.splice(0, landed + 1);
      if (pending.current.length > 0) return;
    } else {
      pending.current = [];
    }
    setDraft(null);
  }, [urlKey]);
  const set = (next: T) => {
    const key = keyOf(next);
    if (key !== urlKey || pending.current.length > 0) pending.current.push(key);
    setDraft({ value: next });
    commit(next);
  };
  return [draft ? draft.value : fromUrl, set];
}
