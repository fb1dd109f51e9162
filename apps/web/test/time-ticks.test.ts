// Issue 19 point 8: a narrow chart gets fewer time labels, so they never overlap.
import { describe, expect, it } from 'vitest';
import { timeTickFractions } from '../src/features/stats/line-chart';

describe('time labels by chart width', () => {
  it('puts five labels on a desktop chart and three on a 390 px phone, always both ends', () => {
    expect(timeTickFractions(1000)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // A 390 px screen leaves about 250 px of plot between the two y axes.
    expect(timeTickFractions(250)).toEqual([0, 0.5, 1]);
    expect(timeTickFractions(60)).toEqual([0, 1]);
  });

  it('leaves each label at least its width of room', () => {
    for (const width of [50, 120, 200, 300, 390, 500, 800, 1400]) {
      const fractions = timeTickFractions(width);
      const gap = (fractions[1] ?? 1) * width;
      if (fractions.length > 2) expect(gap, `width ${width}`).toBeGreaterThanOrEqual(64);
    }
  });
});
