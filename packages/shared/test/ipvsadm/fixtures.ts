// Reading this package's own fixture files (never /work/shared at run time).
// Paths are relative to the directory vitest runs in: the repository root
// (the usual case) or packages/shared.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const ROOT = ['packages/shared/test/fixtures/', 'test/fixtures/'].find((dir) => existsSync(dir)) ?? 'packages/shared/test/fixtures/';

export function readFixture(relative: string): string {
  return readFileSync(ROOT + relative, 'utf8');
}

export function fixtureExists(relative: string): boolean {
  return existsSync(ROOT + relative);
}

export function listFixtures(relativeDir: string): string[] {
  const dir = ROOT + relativeDir;
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
