// The watch view's window and hidden series in the URL.
import { describe, expect, it } from 'vitest';
import { parseWatchParams, watchParams } from '../src/features/stats/watch-url';

describe('watch view URL state', () => {
  it('round-trips window and hidden series, omitting the defaults', () => {
    const params = watchParams({ minutes: 15, hidden: ['10.0.0.2:80', '10.0.0.1:80'] });
    expect(params.toString()).toBe('range=15&hide=10.0.0.1%3A80%2C10.0.0.2%3A80');
    expect(parseWatchParams(params)).toEqual({ minutes: 15, hidden: ['10.0.0.1:80', '10.0.0.2:80'] });
    expect(watchParams({ minutes: 1, hidden: [] }).toString()).toBe('');
  });

  it('falls back to 1 minute for a window the agent does not keep', () => {
    expect(parseWatchParams(new URLSearchParams('range=7')).minutes).toBe(1);
    expect(parseWatchParams(new URLSearchParams('range=abc&hide=')).hidden).toEqual([]);
  });
});
