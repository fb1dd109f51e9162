// A small seeded PRNG (sfc32) standing in for the kernel's get_random_u32().
// The kernel's numbers cannot be reproduced; a seed makes the model repeatable.

export type PrngState = readonly [number, number, number, number];

/** Seed with splitmix32 so that nearby seeds give unrelated streams. */
export function seedPrng(seed: number): PrngState {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state: [number, number, number, number] = [next(), next(), next(), next()];
  return state;
}

/** Mutable generator for hot loops; snapshot() gives back an immutable state. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: PrngState) {
    [this.a, this.b, this.c, this.d] = state;
    // sfc32 wants a few rounds before the output is well mixed.
    if (state[0] === 0 && state[1] === 0 && state[2] === 0 && state[3] === 0) this.d = 1;
  }

  static fromSeed(seed: number): Prng {
    const prng = new Prng(seedPrng(seed));
    for (let i = 0; i < 12; i++) prng.nextU32();
    return prng;
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    this.a >>>= 0;
    return t;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  snapshot(): PrngState {
    return [this.a, this.b, this.c, this.d];
  }

  clone(): Prng {
    return new Prng(this.snapshot());
  }
}
