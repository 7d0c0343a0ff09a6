/**
 * Property tests over the public API, both backends: for random shapes,
 * values (NaN, ±Infinity, negative, huge and tiny included) and options,
 * `threads: 0` (TypeScript reference) and `threads: 1` (native) either both
 * throw the same error class and message, or both return results that agree
 * within the README's tolerances:
 *
 * - per-sample GMM outputs (p, pMax, expsum, responsibilities, predictProba):
 *   1e-12 relative, elementwise (responsibilities below 1e-300 may be 0 on
 *   one side and subnormal on the other, see README "Vectorised exp");
 * - log-likelihoods and fitted parameters: 1e-10 relative;
 * - CIE94 differences: 1e-12 relative;
 * - polygon queries: identical;
 * - MDS: 1e-9 relative (embeddings: relative to the largest coordinate,
 *   since a coordinate near 0 has no meaningful relative error).
 *
 * Seeded and bounded: the file runs in well under 30 s. Set
 * FASTKERNELS_FUZZ_RUNS to run more cases per property (`npm run fuzz`).
 */
import fc from "fast-check";

import * as fk from "../ts";
import type { GmmFit, NearestResult, SmacofResult, WithinDistanceResult } from "../ts";

const RUNS = Number(process.env.FASTKERNELS_FUZZ_RUNS ?? 60);
const SEED = 0x5eed_f00d;
fc.configureGlobal({ seed: SEED, numRuns: RUNS, endOnFailure: false });

// ---------------------------------------------------------------------------
// Comparing the two backends
// ---------------------------------------------------------------------------

type Outcome = { ok: true; value: unknown } | { ok: false; errorClass: string; message: string };

function outcome(call: () => unknown): Outcome {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    const e = error as { constructor?: { name?: string }; message?: unknown };
    return { ok: false, errorClass: e?.constructor?.name ?? typeof error, message: typeof e?.message === "string" ? e.message : String(error) };
  }
}

async function outcomeAsync(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const e = error as { constructor?: { name?: string }; message?: unknown };
    return { ok: false, errorClass: e?.constructor?.name ?? typeof error, message: typeof e?.message === "string" ? e.message : String(error) };
  }
}

class Mismatch extends Error {}

function fail(message: string): never {
  throw new Mismatch(message);
}

/** Both failed alike, or both succeeded and `compare` accepts the results. */
function sameOutcome<T>(reference: Outcome, native: Outcome, compare: (a: T, b: T) => void): void {
  if (!reference.ok || !native.ok) {
    const show = (o: Outcome) => (o.ok ? "returned a result" : `${o.errorClass}: ${o.message}`);
    if (reference.ok !== native.ok || show(reference) !== show(native)) {
      fail(`reference ${show(reference)}; native ${show(native)}`);
    }
    return;
  }
  compare(reference.value as T, native.value as T);
}

function backends<T>(call: (threads: number) => T, compare: (a: T, b: T) => void): void {
  sameOutcome(outcome(() => call(0)), outcome(() => call(1)), compare);
}

async function backendsAsync<T>(call: (threads: number) => Promise<T>, compare: (a: T, b: T) => void): Promise<void> {
  sameOutcome(await outcomeAsync(() => call(0)), await outcomeAsync(() => call(1)), compare);
}

/** Elementwise: same NaN / ±Infinity positions, finite values within `rel` relative (or `abs` absolute). */
function close(what: string, a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs = 0): void {
  if (a.length !== b.length) fail(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Object.is(x, y) || x === y) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) fail(`${what}[${i}]: reference ${x}, native ${y}`);
    if (!(Math.abs(x - y) <= Math.max(abs, rel * Math.max(Math.abs(x), Math.abs(y))))) {
      fail(`${what}[${i}]: reference ${x}, native ${y} (relative difference ${Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y))})`);
    }
  }
}

/** Like `close`, relative to the largest magnitude in `a` (for coordinates). */
function closeScaled(what: string, a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  let scale = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) scale = Math.max(scale, Math.abs(a[i]));
  close(what, a, b, rel, rel * scale);
}

function identical(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) fail(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) fail(`${what}[${i}]: reference ${a[i]}, native ${b[i]}`);
}

function sameKind(what: string, a: unknown, b: unknown): void {
  const tag = (v: unknown) => Object.prototype.toString.call(v);
  if (tag(a) !== tag(b)) fail(`${what}: reference ${tag(a)}, native ${tag(b)}`);
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const SPECIALS = [NaN, Infinity, -Infinity, -1, -0, 0, 1e300, -1e300, 1e-300, 5e-324, 1e15, 2 ** 53];
/**
 * For the iterative fits (EM, SMACOF): finite values stay within a range
 * where sums of squares cannot overflow and the data's dynamic range stays
 * moderate; non-finite values still test the error paths. The two
 * counterexamples found outside that range are pinned below.
 */
const TAME_SPECIALS = [NaN, Infinity, -Infinity, -1, -0, 0, 1e-300, 5e-324, 1e3, -1e3];

/** Mostly ordinary values in [lo, hi], sometimes a special or (untamed) any double. */
function hostileDouble(lo = 0, hi = 1, specials = 1, tame = false) {
  return fc.oneof(
    { weight: 20, arbitrary: fc.double({ min: lo, max: hi, noNaN: true }) },
    { weight: specials, arbitrary: fc.constantFrom(...(tame ? TAME_SPECIALS : SPECIALS)) },
    { weight: specials, arbitrary: tame ? fc.double({ min: -1e6, max: 1e6 }) : fc.double() },
  );
}

function f64Array(length: fc.Arbitrary<number> | number, value: fc.Arbitrary<number>) {
  const len = typeof length === "number" ? fc.constant(length) : length;
  return len.chain((n) => fc.array(value, { minLength: n, maxLength: n })).map((v) => Float64Array.from(v));
}

/** A mixture of K components; lengths occasionally disagree. */
const mixtureArb = fc.integer({ min: 1, max: 4 }).chain((k) =>
  fc.record({
    weights: f64Array(fc.oneof({ weight: 15, arbitrary: fc.constant(k) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) }), hostileDouble(0, 1)),
    means: f64Array(k, hostileDouble(-0.2, 1.2)),
    stdevs: f64Array(k, hostileDouble(1e-3, 0.5)),
  }),
);

const intensitiesArb = f64Array(fc.integer({ min: 0, max: 40 }), hostileDouble(-0.1, 1.1, 1));

const threadsOption = fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 300) });

function withThreads<T extends object>(options: T | undefined, threads: number, bad: number | undefined): T & { threads: number } {
  return { ...(options ?? ({} as T)), threads: bad ?? threads };
}

// ---------------------------------------------------------------------------
// GMM
// ---------------------------------------------------------------------------

describe("GMM: reference and native agree (or fail alike)", () => {
  test("computeExpsumStable / computeLogLikelihoodStable / computeExpectationResponsibilities", () => {
    fc.assert(
      fc.property(intensitiesArb, mixtureArb, threadsOption, (x, mix, bad) => {
        const args = (t: number) => [x, mix.weights, mix.means, mix.stdevs, { threads: bad ?? t }] as const;
        backends(
          (t) => fk.computeExpsumStable(...args(t)),
          (a, b) => {
            close("p", a.p, b.p, 1e-12);
            close("pMax", a.pMax, b.pMax, 1e-12);
            close("expsum", a.expsum, b.expsum, 1e-12);
          },
        );
        backends((t) => fk.computeLogLikelihoodStable(...args(t)), (a, b) => close("logLikelihood", [a], [b], 1e-10));
        backends((t) => fk.computeExpectationResponsibilities(...args(t)), (a, b) => close("responsibilities", a, b, 1e-12, 1e-300));
      }),
    );
  });

  const dataArb = fc.oneof(
    { weight: 3, arbitrary: f64Array(fc.integer({ min: 0, max: 60 }), hostileDouble(0, 1, 1, true)) as fc.Arbitrary<Float64Array | Uint8Array> },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 60 }) },
  );

  const fitOptionsArb = fc.record(
    {
      components: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 2.5, NaN) }),
      iterations: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1.5, -2) }),
      tol: fc.oneof(fc.constantFrom(1e-3, 1e-8, 0, -1, NaN), fc.double({ min: 0, max: 1, noNaN: true })),
      varianceFloor: fc.oneof(fc.constantFrom(1e-12, 1e-6, 0, -1), fc.double({ min: 1e-15, max: 1e-2, noNaN: true })),
      regCovar: fc.oneof(fc.constantFrom(0, 1e-6, -1), fc.double({ min: 0, max: 1e-3, noNaN: true })),
    },
    { requiredKeys: ["components", "iterations"] },
  );

  /**
   * Fitted parameters within 1e-10, relative to their own magnitude or to the
   * data's scale (max |x|, at least 1; its square for variances), whichever
   * is larger: a mean that is the rounding residue of a cancellation (1e-16
   * next to data of 1e15), or a variance that collapsed to ~1e-15 on data of
   * scale 1, has no meaningful relative error. Stdevs are sqrt(variances),
   * which amplifies a rounding-level difference of a collapsed variance, so
   * they are not compared separately.
   */
  function compareFit(data: Float64Array | Uint8Array) {
    let scale = 1;
    if (data instanceof Float64Array) for (const v of data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    return (a: GmmFit, b: GmmFit): void => {
      if (a.iterations !== b.iterations || a.converged !== b.converged) {
        fail(`iterations/converged: reference ${a.iterations}/${a.converged}, native ${b.iterations}/${b.converged}`);
      }
      close("means", a.means, b.means, 1e-10, 1e-10 * scale);
      close("variances", a.variances, b.variances, 1e-10, 1e-10 * scale * scale);
      close("weights", a.weights, b.weights, 1e-10, 1e-10);
      close("logLikelihoods", a.logLikelihoods, b.logLikelihoods, 1e-10);
    };
  }

  /**
   * Where `tol` stopped the two backends after different iteration counts, or
   * only one of them at the last iteration (a threshold on a computed
   * difference decides at the last bit), they must
   * agree after the same iterations: both rerun for the smaller count.
   */
  function fitThenCompare(data: Float64Array | Uint8Array, options: fk.FitGmmOptions, bad: number | undefined): void {
    const compare = compareFit(data);
    const run = (t: number, o: fk.FitGmmOptions) => fk.fitGmm(data, withThreads(o, t, bad));
    const reference = outcome(() => run(0, options));
    const native = outcome(() => run(1, options));
    if (reference.ok && native.ok) {
      const a = reference.value as GmmFit;
      const b = native.value as GmmFit;
      if ((a.iterations !== b.iterations || a.converged !== b.converged) && (a.converged || b.converged)) {
        const same = { ...options, tol: undefined, iterations: Math.min(a.iterations, b.iterations) };
        backends((t) => run(t, same), compare);
        return;
      }
    }
    sameOutcome(reference, native, compare);
  }

  test("fitGmm (Float64Array and Uint8Array data, random options)", () => {
    fc.assert(
      fc.property(dataArb, fitOptionsArb, threadsOption, (data, options, bad) => {
        fitThenCompare(data, options, bad);
      }),
      { numRuns: Math.max(1, Math.round(RUNS / 2)) },
    );
  });

  test("fitGmmAsync (without tol)", async () => {
    await fc.assert(
      fc.asyncProperty(dataArb, fitOptionsArb, async (data, options) => {
        await backendsAsync((t) => fk.fitGmmAsync(data, { ...options, tol: undefined, threads: t }), compareFit(data));
      }),
      { numRuns: Math.max(1, Math.round(RUNS / 4)) },
    );
  });

  const modelArb: fc.Arbitrary<fk.GmmModel> = fc.oneof(
    { weight: 4, arbitrary: mixtureArb as fc.Arbitrary<fk.GmmModel> },
    { weight: 1, arbitrary: mixtureArb.map(({ weights, means, stdevs }): fk.GmmModel => ({ weights, means, variances: stdevs.map((s) => s * s) })) },
  );

  test("predictProba and predictGmm", () => {
    fc.assert(
      fc.property(dataArb, modelArb, threadsOption, (data, model, bad) => {
        backends((t) => fk.predictProba(data, model, { threads: bad ?? t }), (a, b) => close("proba", a, b, 1e-12, 1e-300));
        backends(
          (t) => fk.predictGmm(data, model, { threads: bad ?? t }),
          (a, b) => {
            sameKind("labels", a, b);
            if (a.length !== b.length) fail(`labels: length ${a.length} vs ${b.length}`);
            // A label may differ only where two components tie to rounding (their log-densities differ in the last bits).
            const x = data instanceof Uint8Array ? Float64Array.from(data, (v) => v / 255) : data;
            const stdevs = model.stdevs ?? (model.variances as Float64Array).map(Math.sqrt);
            const { p } = fk.computeExpsumStable(x, model.weights, model.means, stdevs, { threads: 0 });
            for (let i = 0; i < a.length; i++) {
              if (a[i] === b[i]) continue;
              const pa = p[a[i] * x.length + i];
              const pb = p[b[i] * x.length + i];
              if (!(Math.abs(pa - pb) <= 1e-12 * Math.max(Math.abs(pa), Math.abs(pb)))) {
                fail(`labels[${i}]: reference ${a[i]} (P ${pa}), native ${b[i]} (P ${pb})`);
              }
            }
          },
        );
      }),
    );
  });

  test("cie94Difference (8-bit and float images, every normalization)", () => {
    const imageArb = (pixels: number) =>
      fc.oneof(
        fc.uint8Array({ minLength: 3 * pixels, maxLength: 3 * pixels }) as fc.Arbitrary<Uint8Array | Float64Array>,
        f64Array(fc.oneof({ weight: 20, arbitrary: fc.constant(3 * pixels) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * pixels + 3 }) }), hostileDouble(0, 1, 1)),
      );
    const arb = fc
      .record({ width: fc.integer({ min: 1, max: 6 }), height: fc.integer({ min: 1, max: 6 }) })
      .chain(({ width, height }) =>
        fc.record({
          width: fc.oneof({ weight: 20, arbitrary: fc.constant(width) }, { weight: 1, arbitrary: fc.constantFrom(0, 1.5, width + 1) }),
          height: fc.constant(height),
          a: imageArb(width * height),
          b: imageArb(width * height),
          normalization: fc.constantFrom<fk.Cie94Normalization>("original", "minMax", "none"),
        }),
      );
    fc.assert(
      fc.property(arb, threadsOption, ({ width, height, a, b, normalization }, bad) => {
        backends((t) => fk.cie94Difference(a, b, width, height, { normalization, threads: bad ?? t }), (x, y) => close("deltaE", x, y, 1e-12));
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// Polygons
// ---------------------------------------------------------------------------

describe("polygons: reference and native answer identically (or fail alike)", () => {
  const coordinate = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: -4, max: 24 }).map((v) => v / 2) },
    { weight: 4, arbitrary: fc.double({ min: -5, max: 15, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e200, -1e200, 1e-300) },
  );
  const flatArb = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 25 })
    .chain((sizes) => {
      const total = sizes.reduce((s, v) => s + v, 0);
      const offsets = [0];
      for (const s of sizes) offsets.push(offsets[offsets.length - 1] + s);
      return fc.record({ x: f64Array(total, coordinate), y: f64Array(total, coordinate), offsets: fc.constant(Uint32Array.from(offsets)) });
    });
  const pointsArb = f64Array(fc.integer({ min: 0, max: 30 }).map((n) => 2 * n), coordinate);
  const maxDistArb = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0, max: 16 }).map((v) => v / 2) },
    { weight: 3, arbitrary: fc.double({ min: 0, max: 20, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Infinity, -1, NaN, 0) },
  );
  const inclusiveArb = fc.boolean();

  test("PolygonIndex bestMatch / withinDistance / nearest / closeTo", () => {
    fc.assert(
      fc.property(flatArb, pointsArb, maxDistArb, inclusiveArb, fc.integer({ min: 1, max: 6 }), (flat, points, maxDist, inclusive, k) => {
        const build = (t: number) => new fk.PolygonIndex(flat, { threads: t });
        backends(
          (t) => {
            const index = build(t);
            const scores = Float64Array.from({ length: index.length }, (_, i) => (i * 7919) % 13);
            return {
              areas: index.areas,
              centers: index.centers,
              best: index.bestMatch(points, maxDist, { inclusive, threads: t }),
              bestScored: index.bestMatch(points, maxDist, { inclusive, best: scores, threads: t }),
              within: index.withinDistance(points, maxDist, { inclusive, threads: t }),
              nearest: index.nearest(points, k, maxDist, { inclusive, threads: t }),
              closeTo: points.length >= 2 ? index.closeTo([points[0], points[1]], maxDist, { inclusive, threads: t }) : new Uint32Array(0),
            };
          },
          (a, b) => {
            identical("areas", a.areas, b.areas);
            identical("centers", a.centers, b.centers);
            identical("bestMatch", a.best, b.best);
            identical("bestMatch (scores)", a.bestScored, b.bestScored);
            identical("withinDistance.offsets", (a.within as WithinDistanceResult).offsets, (b.within as WithinDistanceResult).offsets);
            identical("withinDistance.indices", a.within.indices, b.within.indices);
            identical("nearest.indices", (a.nearest as NearestResult).indices, (b.nearest as NearestResult).indices);
            identical("nearest.distances", a.nearest.distances, b.nearest.distances);
            identical("closeTo", a.closeTo, b.closeTo);
          },
        );
      }),
    );
  });

  test("matchPointsToPolygons and findClosePolygons", () => {
    fc.assert(
      fc.property(flatArb, pointsArb, maxDistArb, (flat, points, maxDist) => {
        // Polygon objects from the flat buffers (construction itself validates, so build outside the comparison).
        const made = outcome(() =>
          Array.from({ length: flat.offsets.length - 1 }, (_, i) =>
            new fk.Polygon(flat.x.subarray(flat.offsets[i], flat.offsets[i + 1]), flat.y.subarray(flat.offsets[i], flat.offsets[i + 1])),
          ),
        );
        if (!made.ok) return;
        const polygons = made.value as fk.Polygon[];
        backends(
          (t) => fk.matchPointsToPolygons(polygons, points, maxDist, { threads: t }).map(([, p]) => polygons.indexOf(p)),
          (a, b) => identical("matched polygon", a, b),
        );
        if (points.length >= 2) {
          backends(
            (t) => fk.findClosePolygons(polygons, [points[0], points[1]], maxDist, { threads: t }).map((p) => polygons.indexOf(p)),
            (a, b) => identical("close polygons", a, b),
          );
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// MDS
// ---------------------------------------------------------------------------

describe("MDS: reference and native agree (or fail alike)", () => {
  const dimsArb = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1.5, -1) });
  const pointsOf = (tame: boolean) => fc
    .record({ n: fc.integer({ min: 1, max: 12 }), dims: dimsArb })
    .chain(({ n, dims }) =>
      fc.record({
        dims: fc.constant(dims),
        points: f64Array(
          fc.oneof({ weight: 20, arbitrary: fc.constant(Number.isInteger(dims) && dims > 0 ? n * dims : n) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 13 }) }),
          hostileDouble(-10, 10, 1, tame),
        ),
      }),
    );
  const pointsArb = pointsOf(false);
  const tamePointsArb = pointsOf(true);

  test("computeDistanceMatrix, distFromPoint, mse, computeMdsError, updateDistanceMatrix", () => {
    fc.assert(
      fc.property(pointsArb, fc.integer({ min: -2, max: 12 }), (p, row) => {
        const { points, dims } = p;
        backends((t) => fk.computeDistanceMatrix(points, dims, { threads: t }), (a, b) => close("distances", a, b, 1e-9));
        const y = points.slice(0, Math.max(0, dims));
        backends((t) => fk.distFromPoint(points, dims, y, { threads: t }), (a, b) => close("distFromPoint", a, b, 1e-9));
        const shifted = points.map((v) => v * 1.5 - 0.25);
        backends((t) => fk.mse(points, shifted, { threads: t }), (a, b) => close("mse", [a], [b], 1e-9));
        const n = Number.isInteger(dims) && dims > 0 ? Math.floor(points.length / dims) : 0;
        const goal = outcome(() => fk.computeDistanceMatrix(points, dims, { threads: 0 }));
        if (goal.ok && n > 0) {
          const current = (goal.value as Float64Array).map((v, i) => v * (1 + ((i * 7) % 5) / 10));
          const i = row === -2 ? undefined : row;
          backends(
            (t) => fk.computeMdsError(goal.value as Float64Array, current, n, i as number, { threads: t }),
            (a, b) => close("computeMdsError", typeof a === "number" ? [a] : a, typeof b === "number" ? [b] : b, 1e-9),
          );
          backends(
            (t) => {
              const d = current.slice();
              fk.updateDistanceMatrix(points, dims, d, row, { threads: t });
              return d;
            },
            (a, b) => close("updateDistanceMatrix", a, b, 1e-9),
          );
        }
      }),
    );
  });

  /** Dissimilarities of random points, sometimes made hostile. */
  const dissimilarityArb = fc
    .record({ n: fc.integer({ min: 2, max: 9 }), dims: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1e6 }) })
    .chain(({ n, dims, seed }) => {
      const rng = fk_mulberry(seed);
      const pts = Float64Array.from({ length: n * dims }, () => rng() * 10);
      const d = fk.computeDistanceMatrix(pts, dims, { threads: 0 });
      const corrupt = fc.oneof(
        { weight: 12, arbitrary: fc.constant((m: Float64Array) => m) },
        {
          weight: 1,
          arbitrary: fc
            .record({ i: fc.nat({ max: n * n - 1 }), v: fc.constantFrom(NaN, Infinity, -1, 1e300, 0.5) })
            .map(({ i, v }) => (m: Float64Array) => {
              const c = m.slice();
              c[i] = v;
              return c;
            }),
        },
      );
      return fc.record({ n: fc.constant(n), d: corrupt.map((f) => f(d)) });
    });

  test("classicalMds", () => {
    fc.assert(
      fc.property(dissimilarityArb, fc.integer({ min: 1, max: 4 }), ({ n, d }, dims) => {
        backends((t) => fk.classicalMds(d, n, dims, { threads: t }), (a, b) => closeScaled("embedding", a, b, 1e-9));
      }),
    );
  });

  const smacofOptionsArb = fc.record(
    {
      outputDims: fc.integer({ min: 1, max: 3 }),
      maxIter: fc.integer({ min: 1, max: 30 }),
      eps: fc.oneof(fc.constantFrom(1e-6, 1e-3, 0, -1, NaN), fc.double({ min: 0, max: 1e-2, noNaN: true })),
      init: fc.constantFrom<fk.SmacofInit>("classical", "random"),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    },
    { requiredKeys: [] },
  );

  function compareSmacof(a: SmacofResult, b: SmacofResult): void {
    if (a.iterations !== b.iterations || a.converged !== b.converged) {
      fail(`iterations/converged: reference ${a.iterations}/${a.converged}, native ${b.iterations}/${b.converged}`);
    }
    closeScaled("embedding", a.embedding, b.embedding, 1e-9);
    close("stress", [a.stress, a.normalizedStress], [b.stress, b.normalizedStress], 1e-9, 1e-12);
  }

  /**
   * Where `eps` stopped the two backends after different iteration counts, or
   * only one of them at maxIter (with eps = 0, "the stress stopped decreasing" is decided at the last
   * bit), they must agree after the same iterations: both rerun with maxIter
   * set to the smaller count.
   */
  function smacofThenCompare(run: (threads: number, maxIter?: number) => SmacofResult): void {
    const reference = outcome(() => run(0));
    const native = outcome(() => run(1));
    if (reference.ok && native.ok) {
      const a = reference.value as SmacofResult;
      const b = native.value as SmacofResult;
      if ((a.iterations !== b.iterations || a.converged !== b.converged) && (a.converged || b.converged)) {
        const maxIter = Math.min(a.iterations, b.iterations);
        backends((t) => run(t, maxIter), (x, y) => {
          closeScaled("embedding", x.embedding, y.embedding, 1e-9);
          close("stress", [x.stress, x.normalizedStress], [y.stress, y.normalizedStress], 1e-9, 1e-12);
        });
        return;
      }
    }
    sameOutcome(reference, native, compareSmacof);
  }

  test("smacof and mds", () => {
    fc.assert(
      fc.property(dissimilarityArb, smacofOptionsArb, ({ n, d }, options) => {
        const o = { ...options, outputDims: Math.min(options.outputDims ?? 2, n) };
        smacofThenCompare((t, maxIter) => fk.smacof(d, n, { ...o, maxIter: maxIter ?? o.maxIter, threads: t }));
      }),
      { numRuns: Math.max(1, Math.round(RUNS / 2)) },
    );
    fc.assert(
      fc.property(tamePointsArb, smacofOptionsArb, ({ points, dims }, options) => {
        smacofThenCompare((t, maxIter) => fk.mds(points, dims, { ...options, maxIter: maxIter ?? options.maxIter, threads: t }));
      }),
      { numRuns: Math.max(1, Math.round(RUNS / 2)) },
    );
  });

  test("smacofAsync (eps > 0)", async () => {
    await fc.assert(
      fc.asyncProperty(dissimilarityArb, smacofOptionsArb, async ({ n, d }, options) => {
        const o = { ...options, outputDims: Math.min(options.outputDims ?? 2, n), eps: 1e-3 };
        await backendsAsync((t) => fk.smacofAsync(d, n, { ...o, threads: t }), compareSmacof);
      }),
      { numRuns: Math.max(1, Math.round(RUNS / 4)) },
    );
  });
});

/** The project's seeded generator (ts/random.ts), for deriving data inside arbitraries. */
function fk_mulberry(seed: number): () => number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../ts/random") as typeof import("../ts/random")).mulberry32(seed);
}

describe("counterexamples found by the properties outside the tame ranges (pinned)", () => {
  // Found by the fitGmm property with untamed data: the parameters agree to 1e-10 of the data's scale (not of their own magnitude).
  test("fitGmm on data with a 1e15 dynamic range: parameters agree to 1e-10 of the data scale", () => {
    const data = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.9836809060404013, 0, 0, 0, 1e15, 0, 0]);
    const options = { components: 4, iterations: 2 };
    const a = fk.fitGmm(data, { ...options, threads: 0 });
    const b = fk.fitGmm(data, { ...options, threads: 1 });
    close("means", a.means, b.means, 1e-10, 1e-10 * 1e15);
    close("variances", a.variances, b.variances, 1e-10, 1e-10 * 1e30);
    close("weights", a.weights, b.weights, 1e-10, 1e-10);
  });

  // Coincident input points give embedding points that are equal in one
  // backend and a rounding apart in the other (the Guttman sums run in
  // another order); SMACOF's delta/d term then differs by orders of
  // magnitude and the runs part (here: mirrored after 3 iterations). The
  // README states it; what is guaranteed is determinism within each backend
  // and for every thread count, and finite results.
  test("mds with coincident points: each backend is deterministic for every thread count, results finite", () => {
    const points = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -4.965756398506506, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9.999999999999991, 0, 0, 0, -9.999999999999986, 0, 0, 0, 0]);
    const options = { outputDims: 1, init: "random" as const, seed: 29, maxIter: 3 };
    const reference = fk.mds(points, 3, { ...options, threads: 0 });
    const runs = [1, 2, 3].map((threads) => fk.mds(points, 3, { ...options, threads }));
    for (const run of runs) {
      expect(Array.from(run.embedding)).toEqual(Array.from(runs[0].embedding));
      expect(run.stress).toBe(runs[0].stress);
    }
    for (const run of [reference, ...runs]) {
      expect(run.embedding.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(run.stress)).toBe(true);
    }
    expect(Array.from(fk.mds(points, 3, { ...options, threads: 0 }).embedding)).toEqual(Array.from(reference.embedding));
  });

  // At the overflow edge (squared distances near Number.MAX_VALUE) the two
  // backends may round a sum differently: one finite near MAX_VALUE, the
  // other Infinity. The README states the tolerance contract for finite
  // squared distances only; this pins what both do at the edge.
  test("mds on points whose squared distances reach MAX_VALUE: both report a stress at or past the overflow edge", () => {
    const points = Float64Array.from([2 ** 53, 1.3407807929942596e154]);
    const a = fk.mds(points, 1, { threads: 0 });
    const b = fk.mds(points, 1, { threads: 1 });
    for (const stress of [a.stress, b.stress]) expect(stress >= 1e308).toBe(true);
    closeScaled("embedding", a.embedding, b.embedding, 1e-9);
  });
});
