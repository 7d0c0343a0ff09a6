/**
 * numpy's legacy `RandomState`, as far as the original example uses it:
 * MT19937 seeded with `init_genrand` (what `RandomState(seed: int)` does),
 * the legacy `shuffle` (Fisher-Yates drawing with `random_interval`) and the
 * legacy `randint` (masked rejection sampling for the int64 default dtype).
 * Tests compare it against fixtures recorded from numpy itself
 * (__test__/fixtures/numpy_rng_fixtures.py).
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The Mersenne Twister MT19937, 32-bit output. */
export class MT19937 {
  private readonly state = new Uint32Array(N);
  private position = N;

  /** `init_genrand(seed)`, as numpy's legacy seeding does for an integer seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
    }
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2^32, split so the product stays exact.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.position = 0;
  }

  /** The next 32-bit output (numpy's `next_uint32`). */
  nextUint32(): number {
    if (this.position >= N) this.twist();
    let y = this.state[this.position++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy's `next_uint64` for MT19937: the first draw is the high word. */
  nextUint64(): bigint {
    const high = BigInt(this.nextUint32());
    const low = BigInt(this.nextUint32());
    return (high << 32n) | low;
  }
}

/** Smallest all-ones bit mask >= max (max < 2^32). */
function mask32(max: number): number {
  let mask = max >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

function mask64(max: bigint): bigint {
  let mask = max;
  for (const shift of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> shift;
  return mask;
}

/** The subset of numpy's legacy `RandomState` that the example needs. */
export class LegacyRandomState {
  readonly bitGenerator: MT19937;

  constructor(seed: number) {
    this.bitGenerator = new MT19937(seed);
  }

  /** numpy's `random_interval(max)`: uniform in [0, max] by masked rejection. */
  private interval(max: number): number {
    if (max === 0) return 0;
    const mask = mask32(max);
    let value: number;
    do {
      value = (this.bitGenerator.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** `RandomState.shuffle` of a 1-D array, in place (legacy Fisher-Yates). */
  shuffle(values: { length: number; [i: number]: number }): void {
    for (let i = values.length - 1; i >= 1; i--) {
      const j = this.interval(i);
      const held = values[j];
      values[j] = values[i];
      values[i] = held;
    }
  }

  /**
   * `RandomState.randint(low, high)` for the default int64 dtype: one value
   * in [low, high). Bounds must be safe integers.
   */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`randint needs safe integers low < high, got ${low} and ${high}`);
    }
    const range = high - 1 - low;
    if (range <= 0xffffffff) {
      // numpy calls the 32-bit generator when the range fits in 32 bits.
      if (range === 0) return low;
      if (range === 0xffffffff) return low + this.bitGenerator.nextUint32();
      const mask = mask32(range);
      let value: number;
      do {
        value = (this.bitGenerator.nextUint32() & mask) >>> 0;
      } while (value > range);
      return low + value;
    }
    const range64 = BigInt(range);
    const mask = mask64(range64);
    let value: bigint;
    do {
      value = this.bitGenerator.nextUint64() & mask;
    } while (value > range64);
    return low + Number(value);
  }
}
