// The watch view's window, hidden series and zoomed range in the URL.
import { describe, expect, it } from 'vitest';
import { parseWatchParams, watchParams, windowCovering, zoomIn, zoomRange } from '../src/features/stats/watch-url';

const T0 = Date.parse('2026-12-06T10:00:00Z');

describe('watch view URL state', () => {
  it('round-trips window and hidden series, omitting the defaults', () => {
    const params = watchParams({ minutes: 15, hidden: ['10.0.0.2:80', '10.0.0.1:80'], zoom: null });
    expect(params.toString()).toBe('range=15&hide=10.0.0.1%3A80%2C10.0.0.2%3A80');
    expect(parseWatchParams(params)).toEqual({ minutes: 15, hidden: ['10.0.0.1:80', '10.0.0.2:80'], zoom: null });
    expect(watchParams({ minutes: 1, hidden: [], zoom: null }).toString()).toBe('');
  });

  it('falls back to 1 minute for a window the agent does not keep', () => {
    expect(parseWatchParams(new URLSearchParams('range=7')).minutes).toBe(1);
    expect(parseWatchParams(new URLSearchParams('range=1440')).minutes).toBe(1440);
    expect(parseWatchParams(new URLSearchParams('range=abc&hide=')).hidden).toEqual([]);
  });

  it('round-trips a zoomed range and ignores a broken one', () => {
    const params = watchParams({ minutes: 60, hidden: [], zoom: { from: T0, to: T0 + 300_000 } });
    expect(params.get('zoom')).toBe(`${T0}-${T0 + 300_000}`);
    expect(parseWatchParams(params).zoom).toEqual({ from: T0, to: T0 + 300_000 });
    for (const bad of [`${T0 + 300_000}-${T0}`, `${T0}-${T0 + 10}`, `${T0}-${T0 + 2 * 86_400_000}`, 'x-y', `${T0}`, `-5-${T0}`]) {
      expect(parseWatchParams(new URLSearchParams({ zoom: bad })).zoom).toBeNull();
    }
  });

  it('turns a drag into a range and halves a range around a point', () => {
    expect(zoomRange(T0 + 60_000, T0, 1000)).toEqual({ from: T0, to: T0 + 60_000 });
    expect(zoomRange(T0, T0 + 500, 1000)).toBeNull();
    expect(zoomRange(T0, T0 + 2000, 1000)).toEqual({ from: T0 - 1500, to: T0 + 3500 });
    expect(zoomIn({ from: T0, to: T0 + 60_000 }, T0 + 30_000)).toEqual({ from: T0 + 15_000, to: T0 + 45_000 });
    // Near the edge the half stays inside the range.
    expect(zoomIn({ from: T0, to: T0 + 60_000 }, T0 + 59_000)).toEqual({ from: T0 + 30_000, to: T0 + 60_000 });
  });
});

describe('the window a zoomed range needs', () => {
  it('keeps the chosen window while the range is inside it, else takes the next that holds it', () => {
    expect(windowCovering(5, null, T0)).toBe(5);
    expect(windowCovering(5, T0 - 4 * 60_000, T0)).toBe(5);
    expect(windowCovering(5, T0 - 6 * 60_000, T0)).toBe(15);
    expect(windowCovering(1, T0 - 2 * 3_600_000, T0)).toBe(1440);
    expect(windowCovering(60, T0 - 3 * 86_400_000, T0)).toBe(1440);
  });
});
