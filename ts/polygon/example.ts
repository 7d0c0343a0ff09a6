/**
 * The original's benchmark data, reproduced bit for bit: numpy's legacy
 * `RandomState(6)`, 100 points whose x and y are separately shuffled
 * `arange(0, 100)`, and 1000 copies of one 10-vertex polygon, each shifted by
 * `randint(0, 100)` in x, then in y.
 */
import { assertInteger, assertOptions, withDefault } from "../validate";
import { Polygon } from "./polygon";
import { LegacyRandomState } from "./rng";

/** The original's one polygon: x = 0, 0.1, ..., 0.9 (`np.arange(0.0, 1.0, 0.1)`), y = sqrt(1 - x²). */
export function generateOnePolygon(): Polygon {
  // numpy's arange fills start + i * step, so x[3] is 0.30000000000000004 as in numpy.
  const x = Float64Array.from({ length: 10 }, (_, i) => i * 0.1);
  const y = x.map((v) => Math.sqrt(1.0 - v * v));
  return new Polygon(x, y);
}

export interface GenerateExampleOptions {
  /** Seed of the legacy RandomState, an integer from 0 to 2^32 - 1. Default 6, the original's. */
  seed?: number;
}

/**
 * `[polygons, points]` exactly as the original's `generate_example()`: 1000
 * polygons and 100 points (each a Float64Array(2)).
 */
export function generateExample(options?: GenerateExampleOptions): [Polygon[], Float64Array[]] {
  assertOptions("options", options);
  const seed = withDefault(options?.seed, 6);
  assertInteger("options.seed", seed, 0, 0xffffffff);
  const rng = new LegacyRandomState(seed);
  const xs = Float64Array.from({ length: 100 }, (_, i) => i);
  rng.shuffle(xs);
  const ys = Float64Array.from({ length: 100 }, (_, i) => i);
  rng.shuffle(ys);
  const points = Array.from(xs, (x, i) => Float64Array.of(x, ys[i]));
  const one = generateOnePolygon();
  const polygons: Polygon[] = [];
  for (let i = 0; i < 1000; i++) {
    // As in the original's keyword arguments: the x shift is drawn first.
    const dx = rng.randint(0, 100);
    const dy = rng.randint(0, 100);
    polygons.push(new Polygon(one.x.map((v) => v + dx), one.y.map((v) => v + dy)));
  }
  return [polygons, points];
}
