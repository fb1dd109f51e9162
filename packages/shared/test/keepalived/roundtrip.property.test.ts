// Export then import: a state keepalived can express comes back unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readKeepalivedConf, writeKeepalivedConf } from '../../src/keepalived';
import { checkState } from '../../src/validate';
import { keepalivedPairStateArb, keepalivedStateArb } from '../support/keepalived-arbitraries';

describe('keepalived.conf export then import', () => {
  it('generated states are valid', () => {
    fc.assert(
      fc.property(keepalivedStateArb, (state) => {
        expect(checkState(state)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('gives back the same desired state', () => {
    fc.assert(
      fc.property(keepalivedStateArb, (state) => {
        const text = writeKeepalivedConf(state);
        const back = readKeepalivedConf(text);
        const errors = back.notes.filter((n) => n.level === 'error');
        expect(errors, text).toEqual([]);
        expect(back.state, text).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('generated pairs are valid', () => {
    fc.assert(
      fc.property(keepalivedPairStateArb, (state) => {
        expect(checkState(state)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('gives back the same pair of directors (VRRP in one file with @DIRECTOR lines)', () => {
    fc.assert(
      fc.property(keepalivedPairStateArb, (state) => {
        const text = writeKeepalivedConf(state);
        const back = readKeepalivedConf(text);
        expect(
          back.notes.filter((n) => n.level === 'error' || n.message.includes('VRRP')),
          text,
        ).toEqual([]);
        expect(back.state, text).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });
});
