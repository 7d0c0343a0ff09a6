/** Seeded polygon test data on a coarse lattice, so ties and exact distances are common. */
import { mulberry32 } from "./random";

export interface FlatData {
  x: Float64Array;
  y: Float64Array;
  offsets: Uint32Array;
}

/** `count` polygons of 3-6 vertices with lattice coordinates in [0, extent]; every 10th repeats the one before (duplicate centers). */
export function latticePolygons(seed: number, count: number, extent: number): FlatData {
  const rand = mulberry32(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  const offsets = [0];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 9) {
      const start = offsets[i - 1];
      const end = offsets[i];
      for (let v = start; v < end; v++) {
        xs.push(xs[v]);
        ys.push(ys[v]);
      }
      offsets.push(xs.length);
      continue;
    }
    const ox = Math.round(rand() * extent * 2) / 2;
    const oy = Math.round(rand() * extent * 2) / 2;
    const n = 3 + Math.floor(rand() * 4);
    for (let v = 0; v < n; v++) {
      xs.push(ox + Math.round(rand() * 4) / 2);
      ys.push(oy + Math.round(rand() * 4) / 2);
    }
    offsets.push(xs.length);
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), offsets: Uint32Array.from(offsets) };
}

/** `count` lattice points (flat x, y pairs) in [-1, extent]. */
export function latticePoints(seed: number, count: number, extent: number): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: 2 * count }, () => Math.round(rand() * extent * 2) / 2 - 1);
}

type Typed = Int32Array | Uint32Array | Float64Array;

/** Fast bitwise equality of typed arrays (jest's deep equality is slow on big ones); shows a diff on failure. */
export function expectSameArray(actual: Typed, expected: Typed): void {
  const view = (a: Typed) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const same = actual.length === expected.length && actual.constructor.name === expected.constructor.name && view(actual).equals(view(expected));
  if (!same) expect(Array.from(actual)).toEqual(Array.from(expected));
}
