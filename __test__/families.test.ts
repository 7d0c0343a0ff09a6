/**
 * The MDS, polygon and colour families in the kernel table: option keys,
 * the new async twins, the neighbour limit and SMACOF progress.
 */
import {
  cie94Difference,
  cie94DifferenceAsync,
  classicalMds,
  classicalMdsAsync,
  computeDistanceMatrix,
  computeDistanceMatrixAsync,
  generateExample,
  MAX_NEIGHBORS,
  PolygonIndex,
  smacof,
  smacofAsync,
} from "../ts";
import type { ProgressEvent, SmacofProgressEvent } from "../ts";
import { native } from "../ts/native";
import { latticePolygons } from "./helpers/polygon-data";
import { randomArray } from "./helpers/random";

const backends = native ? [0, 1, 2] : [0];

describe("unknown option keys are a TypeError with a suggestion", () => {
  const good = new Float64Array([0, 1, 1, 0]);

  test.each(backends)("mds: the former dims option suggests outputDims (threads = %i)", async (threads) => {
    const message = /options has an unknown key "dims" \(did you mean "outputDims"\?\); valid keys: .*outputDims/;
    expect(() => smacof(good, 2, { threads, dims: 2 } as never)).toThrow(TypeError);
    expect(() => smacof(good, 2, { threads, dims: 2 } as never)).toThrow(message);
    await expect(smacofAsync(good, 2, { threads, dims: 2 } as never)).rejects.toThrow(message);
    expect(() => computeDistanceMatrix(good, 2, { threads, thread: 1 } as never)).toThrow(/unknown key "thread" \(did you mean "threads"\?\)/);
  });

  test.each(backends)("polygon: a misspelt inclusive (threads = %i)", (threads) => {
    const index = new PolygonIndex(generateExample()[0], { threads });
    const message = /options has an unknown key "inclusiv" \(did you mean "inclusive"\?\)/;
    expect(() => index.bestMatch([[1, 2]], 5, { threads, inclusiv: true } as never)).toThrow(TypeError);
    expect(() => index.bestMatch([[1, 2]], 5, { threads, inclusiv: true } as never)).toThrow(message);
    expect(() => new PolygonIndex(generateExample()[0], { threads, treads: 1 } as never)).toThrow(/did you mean "threads"/);
  });

  test.each(backends)("color: normalisation suggests normalization (threads = %i)", (threads) => {
    const image = new Uint8Array(3);
    expect(() => cie94Difference(image, image, 1, 1, { threads, normalisation: "none" } as never)).toThrow(
      /options has an unknown key "normalisation" \(did you mean "normalization"\?\)/,
    );
  });
});

describe("new async twins equal their sync twins", () => {
  test.each(backends)("computeDistanceMatrixAsync and classicalMdsAsync (threads = %i)", async (threads) => {
    const points = randomArray(3 * 60, 11);
    const sync = computeDistanceMatrix(points, 3, { threads });
    const async = await computeDistanceMatrixAsync(points, 3, { threads });
    expect(Array.from(async)).toEqual(Array.from(sync));
    const embedding = classicalMds(sync, 60, 2, { threads });
    expect(Array.from(await classicalMdsAsync(sync, 60, 2, { threads }))).toEqual(Array.from(embedding));
    expect(Array.from(await classicalMdsAsync(sync, 60, 2, { threads, borrow: true }))).toEqual(Array.from(embedding));
  });

  test.each(backends)("async inputs are copied: the caller may overwrite them at once (threads = %i)", async (threads) => {
    const points = randomArray(2 * 40, 12);
    const expected = computeDistanceMatrix(points, 2, { threads });
    const running = computeDistanceMatrixAsync(points, 2, { threads });
    points.fill(Number.NaN);
    expect(Array.from(await running)).toEqual(Array.from(expected));
  });

  test.each(backends)("PolygonIndex.buildAsync == new PolygonIndex (threads = %i)", async (threads) => {
    const flat = latticePolygons(3, 500, 100);
    const objects = generateExample()[0];
    const points = randomArray(2 * 300, 13, 0, 100);
    for (const source of [flat, objects]) {
      const sync = new PolygonIndex(source, { threads });
      const built = await PolygonIndex.buildAsync(source, { threads });
      expect(built).toBeInstanceOf(PolygonIndex);
      expect(built.length).toBe(sync.length);
      expect(Array.from(built.centers)).toEqual(Array.from(sync.centers));
      expect(Array.from(built.areas)).toEqual(Array.from(sync.areas));
      expect(Array.from(built.bestMatch(points, 10, { threads }))).toEqual(Array.from(sync.bestMatch(points, 10, { threads })));
    }
  });

  test.each(backends)("PolygonIndex.buildAsync: NaN vertex and unknown keys reject (threads = %i)", async (threads) => {
    const bad = { x: Float64Array.of(0, Number.NaN), y: Float64Array.of(0, 0), offsets: [0, 2] };
    await expect(PolygonIndex.buildAsync(bad, { threads })).rejects.toThrow(new RangeError("polygons.x[1] must be a finite number, got NaN"));
    expect(() => new PolygonIndex(bad, { threads })).toThrow(new RangeError("polygons.x[1] must be a finite number, got NaN"));
  });
});

describe("nearest: k is checked against MAX_NEIGHBORS before anything is allocated", () => {
  test.each(backends)("nearest(points, 1e9) is a RangeError within 100 ms (threads = %i)", async (threads) => {
    const index = new PolygonIndex(generateExample()[0], { threads });
    const points = randomArray(2 * 1000, 14, 0, 100);
    const message = new RangeError(`k must be at most ${MAX_NEIGHBORS} (MAX_NEIGHBORS), got 1000000000`);
    const start = performance.now();
    expect(() => index.nearest(points, 1e9, { threads })).toThrow(message);
    expect(() => index.nearest(points, 1e9, 5, { threads })).toThrow(message);
    await expect(index.nearestAsync(points, 1e9, { threads })).rejects.toThrow(message);
    expect(performance.now() - start).toBeLessThan(100);
    expect(MAX_NEIGHBORS).toBe(4096);
  });

  test.each(backends)("both call forms of nearest agree (threads = %i)", (threads) => {
    const index = new PolygonIndex(generateExample()[0], { threads });
    const points = randomArray(2 * 50, 15, 0, 100);
    const positional = index.nearest(points, 3, 8, { threads });
    const named = index.nearest(points, 3, { threads, maxDist: 8 });
    expect(Array.from(named.indices)).toEqual(Array.from(positional.indices));
    expect(() => index.nearest(points, 3, 8, { threads, maxDist: 8 } as never)).toThrow(TypeError);
  });

  if (native) {
    test("the binding refuses k > MAX_NEIGHBORS on its own", () => {
      const nativeIndex = native!.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1);
      // The kernel crate checks k before it looks at the output buffers.
      const out = { indices: new Int32Array(1), distances: new Float64Array(1) };
      expect(() => nativeIndex.nearest(Float64Array.of(0, 0), 1e9, 1, false, out, 1)).toThrow("k must be at most 4096 (POLYGON_MAX_NEIGHBORS), got 1000000000");
    });
  }
});

describe("smacofAsync progress", () => {
  const n = 30;
  const d = computeDistanceMatrix(randomArray(2 * n, 16), 2, { threads: 0 });

  test.each(backends)("onProgress receives { done, total, stress } after every iteration; onIteration is an alias (threads = %i)", async (threads) => {
    const options = { threads, maxIter: 20, eps: 0, init: "random" as const, nInit: 2, seed: 3 };
    const expected = smacof(d, n, options);
    const progress: SmacofProgressEvent[] = [];
    const viaAlias: SmacofProgressEvent[] = [];
    const result = await smacofAsync(d, n, { ...options, onProgress: (e) => progress.push(e) });
    await smacofAsync(d, n, { ...options, onIteration: (e) => viaAlias.push(e) });
    expect(result.stress).toBe(expected.stress);
    expect(progress).toHaveLength(40);
    progress.forEach((event, i) => {
      expect(event).toEqual({ done: i + 1, total: 40, stress: expect.any(Number), iteration: i + 1 });
    });
    expect(viaAlias).toEqual(progress);
  });
});

/** Bit patterns of a float array (NaN padding compares equal to itself). */
function bits(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("hex");
}

describe("Float32Array data equals its float64 widening, bit for bit (one kernel per family)", () => {
  const cases = backends.flatMap((threads) => [true, false].map((borrow) => [threads, borrow] as const));

  test.each(cases)("computeDistanceMatrix(+Async) (threads = %i, borrow = %s)", async (threads, borrow) => {
    const f32 = Float32Array.from(randomArray(3 * 70, 31, -5, 5));
    const f64 = Float64Array.from(f32);
    const want = bits(computeDistanceMatrix(f64, 3, { threads }));
    expect(bits(computeDistanceMatrix(f32, 3, { threads }))).toBe(want);
    expect(bits(await computeDistanceMatrixAsync(f32, 3, { threads, borrow }))).toBe(want);
    expect(bits(await computeDistanceMatrixAsync(f64, 3, { threads, borrow }))).toBe(want);
  });

  test.each(cases)("PolygonIndex#nearest(+Async) (threads = %i, borrow = %s)", async (threads, borrow) => {
    const index = new PolygonIndex(generateExample()[0], { threads });
    // More than one chunk of points, so native queries run on the pool.
    const f32 = Float32Array.from(randomArray(2 * 3000, 32, 0, 100));
    const f64 = Float64Array.from(f32);
    const want = index.nearest(f64, 3, { threads, maxDist: 20 });
    for (const got of [index.nearest(f32, 3, { threads, maxDist: 20 }), await index.nearestAsync(f32, 3, { threads, borrow, maxDist: 20 })]) {
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(bits(got.distances)).toBe(bits(want.distances));
    }
  });

  test.each(cases)("cie94Difference(+Async), float32 against 8-bit (threads = %i, borrow = %s)", async (threads, borrow) => {
    const [w, h] = [13, 11];
    const f32 = Float32Array.from(randomArray(3 * w * h, 33, 0, 1));
    const f64 = Float64Array.from(f32);
    const bytes = Uint8Array.from(randomArray(3 * w * h, 34, 0, 255), (v) => Math.floor(v));
    for (const [a64, a32, b] of [[f64, f32, bytes], [f64, f32, f64]] as const) {
      const want = bits(cie94Difference(a64, b, w, h, { threads }));
      expect(bits(cie94Difference(a32, b, w, h, { threads }))).toBe(want);
      expect(bits(cie94Difference(b, a32, w, h, { threads }))).toBe(bits(cie94Difference(b, a64, w, h, { threads })));
      expect(bits(await cie94DifferenceAsync(a32, b, w, h, { threads, borrow }))).toBe(want);
    }
  });

  test.each(backends)("a Float32Array value outside the domain names its index (threads = %i)", (threads) => {
    const points = Float32Array.of(0, 1, Number.NaN, 2);
    expect(() => computeDistanceMatrix(points, 2, { threads })).toThrow(new RangeError("points[2] must be a finite number, got NaN"));
    const image = Float32Array.of(0, 0.5, 1.5);
    expect(() => cie94Difference(image, image, 1, 1, { threads })).toThrow(new RangeError("rgbA[2] must be a finite number from 0 to 1, got 1.5"));
  });
});

describe("progress of chunked polygon passes", () => {
  test.each([0, 1, 2])("bestMatchAsync / nearestAsync / withinDistanceAsync report { done, total } points (threads = %i)", async (threads) => {
    const [polygons] = generateExample();
    const index = new PolygonIndex(polygons);
    const n = 20_000;
    let s = 3;
    const points = Float64Array.from({ length: 2 * n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 100);
    for (const run of [
      (onProgress: (e: ProgressEvent) => void) => index.bestMatchAsync(points, 10, { threads, onProgress }),
      (onProgress: (e: ProgressEvent) => void) => index.nearestAsync(points, 2, { maxDist: 10, threads, onProgress }),
      (onProgress: (e: ProgressEvent) => void) => index.withinDistanceAsync(points, 3, { threads, onProgress }),
    ]) {
      const events: ProgressEvent[] = [];
      const result = await run((e) => events.push({ ...e }));
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThanOrEqual(120);
      for (const e of events) {
        expect(e.total).toBe(n);
        expect(e.done).toBeGreaterThan(0);
        expect(e.done).toBeLessThanOrEqual(n);
      }
      expect(Math.max(...events.map((e) => e.done))).toBe(n);
      expect(Object.keys(result)).not.toContain("progressEvents");
    }
  });
});
