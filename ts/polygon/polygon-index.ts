/**
 * `PolygonIndex`: polygons packed once (centers and areas computed once),
 * queried many times. The native backend keeps the packed data and a grid
 * over the centers in a Rust object; the reference backend answers by brute
 * force over the same centers and areas.
 */
import { runNativeAsync, runReferenceAsync } from "../async";
import { callNative } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import { resolveThreads } from "../threads";
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { assertAbortSignal, show } from "../validate";
import { geometryOfPolygons, isPolygon, Polygon } from "./polygon";
import { bestMatchRange, closeTo, nearestRange, packedGeometry, withinDistanceRange } from "./reference";
import type { PackedGeometry, Query } from "./reference";
import {
  assertK, assertMaxDist, assertQueryOptions, assertScores, checkFlatPolygons, flattenPoints, packPolygons, readPoint,
} from "./validate";
import type { FlatPolygons, PointLike, PointsInput, PolygonLike } from "./validate";

type NativeIndex = InstanceType<NativeBinding["PolygonNativeIndex"]>;

/** Options of the radius queries. */
export interface PolygonQueryOptions extends KernelOptions {
  /** Count a center at exactly `maxDist` as close (`<=`). Default `false`: strictly `<`, like the original. */
  inclusive?: boolean;
}

/** Options of `bestMatch`. */
export interface BestMatchOptions extends PolygonQueryOptions {
  /**
   * What "best" means: `"area"` (default, the smallest area) or a Float64Array
   * with one score per polygon (the lowest score). Ties go to the lowest index.
   */
  best?: "area" | Float64Array;
}

export interface PolygonQueryAsyncOptions extends AsyncKernelOptions {
  /** As in {@link PolygonQueryOptions.inclusive}. */
  inclusive?: boolean;
}

export interface BestMatchAsyncOptions extends PolygonQueryAsyncOptions {
  /** As in {@link BestMatchOptions.best}. */
  best?: "area" | Float64Array;
}

/** All close polygons per point: point p's are `indices[offsets[p]..offsets[p + 1]]`, ascending. */
export interface WithinDistanceResult {
  offsets: Uint32Array;
  indices: Uint32Array;
}

/**
 * The k nearest close centers per point: slots `p*k .. p*k + k - 1` hold point
 * p's polygons by increasing distance (ties: lower index first), padded with
 * index -1 and distance NaN when fewer than k are within `maxDist`.
 */
export interface NearestResult {
  indices: Int32Array;
  distances: Float64Array;
}

/** Packed, validated vertex buffers. Internal. */
class PackedPolygons {
  constructor(readonly x: Float64Array, readonly y: Float64Array, readonly offsets: Uint32Array) {}
}

/** Whether every element was made by the `Polygon` class. */
function allPolygonObjects(polygons: ReadonlyArray<unknown>): polygons is ReadonlyArray<Polygon> {
  for (let i = 0; i < polygons.length; i++) if (!isPolygon(polygons[i])) return false;
  return true;
}

/** Points per reference chunk between event-loop yields in async calls. */
const REFERENCE_ASYNC_CHUNK = 1024;

interface CheckedQuery extends Query {
  points: Float64Array;
}

function checkQuery(points: unknown, maxDist: unknown, options: unknown): CheckedQuery {
  const flat = flattenPoints("points", points);
  assertMaxDist("maxDist", maxDist);
  assertQueryOptions("options", options);
  const inclusive = (options as PolygonQueryOptions | undefined)?.inclusive ?? false;
  return { points: flat, maxDist, inclusive };
}

export class PolygonIndex {
  /** Number of polygons. */
  readonly length: number;
  /** Packed vertices (flat buffers or polygon-like objects), if given. */
  readonly #vertices: PackedPolygons | undefined;
  #native: NativeIndex | undefined;
  #geometry: PackedGeometry | undefined;

  /**
   * @param polygons polygon objects (anything with Float64Array `x` and `y`,
   *   such as `Polygon`), or flat buffers `{ x, y, offsets }` where polygon i
   *   is vertices `offsets[i]..offsets[i + 1]` (offsets start at 0, strictly
   *   increase, and stay within `x.length`). Flat buffers are used in place:
   *   do not modify them while the index is in use. An array of `Polygon`
   *   objects is indexed by their cached `center` and `area()` (their
   *   vertices were checked when they were constructed).
   * @param options `threads`: the backend built now (0 = reference; default:
   *   the process default). The other backend is prepared on first use.
   * @throws TypeError / RangeError naming the bad argument (x/y length
   *   mismatch, empty polygons, bad offsets, NaN/Infinity coordinates).
   */
  constructor(polygons: ReadonlyArray<PolygonLike> | FlatPolygons, options?: KernelOptions) {
    if (Array.isArray(polygons) && allPolygonObjects(polygons)) {
      this.#geometry = geometryOfPolygons(polygons);
    } else {
      const { x, y, offsets } = Array.isArray(polygons) ? packPolygons("polygons", polygons) : checkFlatPolygons("polygons", polygons);
      this.#vertices = new PackedPolygons(x, y, offsets);
    }
    const threads = resolveThreads(options);
    this.length = this.#geometry ? this.#geometry.areas.length : (this.#vertices as PackedPolygons).offsets.length - 1;
    if (threads === 0) this.#reference();
    else this.#nativeIndex(threads);
  }

  #reference(): PackedGeometry {
    if (!this.#geometry) {
      const { x, y, offsets } = this.#vertices as PackedPolygons;
      this.#geometry = packedGeometry(x, y, offsets);
    }
    return this.#geometry;
  }

  #nativeIndex(threads: number): NativeIndex {
    if (!this.#native) {
      const binding = native as NativeBinding;
      const vertices = this.#vertices;
      const geometry = this.#geometry;
      this.#native = vertices
        ? callNative(() => binding.PolygonNativeIndex.build(vertices.x, vertices.y, vertices.offsets, threads))
        : callNative(() => binding.PolygonNativeIndex.fromGeometry((geometry as PackedGeometry).centers, (geometry as PackedGeometry).areas, threads));
    }
    return this.#native;
  }

  /** Centers, interleaved `cx0, cy0, cx1, cy1, ...` (same bits from both backends). */
  get centers(): Float64Array {
    return this.#native ? this.#native.centers() : this.#reference().centers.slice();
  }

  /** Areas, one per polygon (same bits from both backends). */
  get areas(): Float64Array {
    return this.#native ? this.#native.areas() : this.#reference().areas.slice();
  }

  /**
   * Indices of the polygons whose center is within `maxDist` of `point`, ascending.
   * @param point `[x, y]` or a Float64Array(2)
   * @param maxDist >= 0 (Infinity allowed)
   */
  closeTo(point: PointLike, maxDist: number, options?: PolygonQueryOptions): Uint32Array {
    const [px, py] = readPoint("point", point);
    assertMaxDist("maxDist", maxDist);
    assertQueryOptions("options", options);
    const inclusive = options?.inclusive ?? false;
    const threads = resolveThreads(options);
    if (threads === 0) return Uint32Array.from(closeTo(this.#reference().centers, px, py, { maxDist, inclusive }));
    const index = this.#nativeIndex(threads);
    return callNative(() => index.closeTo(px, py, maxDist, inclusive));
  }

  #scores(options: BestMatchOptions | undefined, threads: number): Float64Array | undefined {
    const best = options?.best;
    if (best === undefined || best === "area") return threads === 0 ? this.#reference().areas : undefined;
    if (typeof best === "string") throw new RangeError(`options.best must be "area" or a Float64Array of scores, got ${show(best)}`);
    assertScores("options.best", best, this.length);
    return best;
  }

  /**
   * Per point, the close polygon with the lowest area (or score), ties to the
   * lowest index; -1 where no polygon is close.
   * @param points flat Float64Array `x0, y0, x1, y1, ...` or an array of `[x, y]`
   */
  bestMatch(points: PointsInput, maxDist: number, options?: BestMatchOptions): Int32Array {
    const q = checkQuery(points, maxDist, options);
    const threads = resolveThreads(options);
    const scores = this.#scores(options, threads);
    if (threads === 0) {
      const out = new Int32Array(q.points.length / 2);
      bestMatchRange(this.#reference().centers, scores as Float64Array, q.points, q, out, 0, out.length);
      return out;
    }
    const index = this.#nativeIndex(threads);
    // The result buffer is made here: cheaper than a typed array made by the addon.
    const out = new Int32Array(q.points.length / 2);
    callNative(() => index.bestMatchInto(q.points, q.maxDist, q.inclusive, scores, threads, out));
    return out;
  }

  /** Every close polygon per point (CSR, ascending indices per point). */
  withinDistance(points: PointsInput, maxDist: number, options?: PolygonQueryOptions): WithinDistanceResult {
    const q = checkQuery(points, maxDist, options);
    const threads = resolveThreads(options);
    if (threads === 0) {
      const n = q.points.length / 2;
      const indices: number[] = [];
      const offsets = new Uint32Array(n + 1);
      withinDistanceRange(this.#reference().centers, q.points, q, indices, offsets, 0, n);
      return { offsets, indices: Uint32Array.from(indices) };
    }
    const index = this.#nativeIndex(threads);
    return callNative(() => index.withinDistance(q.points, q.maxDist, q.inclusive, threads));
  }

  /**
   * The k nearest centers per point (see {@link NearestResult} for the layout).
   * @param k >= 1
   * @param maxDist only centers within it count; default Infinity
   */
  nearest(points: PointsInput, k: number, maxDist = Number.POSITIVE_INFINITY, options?: PolygonQueryOptions): NearestResult {
    const q = checkQuery(points, maxDist, options);
    assertK("k", k, q.points.length / 2);
    const threads = resolveThreads(options);
    if (threads === 0) {
      const n = q.points.length / 2;
      const indices = new Int32Array(n * k);
      const distances = new Float64Array(n * k);
      nearestRange(this.#reference().centers, q.points, k, q, indices, distances, 0, n);
      return { indices, distances };
    }
    const index = this.#nativeIndex(threads);
    return callNative(() => index.nearest(q.points, k, q.maxDist, q.inclusive, threads));
  }

  /** `bestMatch` off the event loop; `options.signal` aborts it. Points are copied first. */
  async bestMatchAsync(points: PointsInput, maxDist: number, options?: BestMatchAsyncOptions): Promise<Int32Array> {
    const q = checkQuery(points, maxDist, options);
    const threads = resolveThreads(options);
    const scores = this.#scores(options, threads);
    assertAbortSignal("options.signal", options?.signal);
    const signal = options?.signal;
    if (threads === 0) {
      const centers = this.#reference().centers;
      const flat = q.points.slice();
      const ownScores = (scores as Float64Array).slice();
      return runReferenceAsync(signal, async (checkpoint) => {
        const out = new Int32Array(flat.length / 2);
        for (let start = 0; start < out.length; start += REFERENCE_ASYNC_CHUNK) {
          bestMatchRange(centers, ownScores, flat, q, out, start, Math.min(out.length, start + REFERENCE_ASYNC_CHUNK));
          await checkpoint();
        }
        return out;
      });
    }
    const index = this.#nativeIndex(threads);
    const binding = native as NativeBinding;
    return runNativeAsync(signal, (token) => binding.polygonBestMatchAsync(index, q.points, q.maxDist, q.inclusive, scores, threads, token));
  }

  /** `withinDistance` off the event loop; `options.signal` aborts it. Points are copied first. */
  async withinDistanceAsync(points: PointsInput, maxDist: number, options?: PolygonQueryAsyncOptions): Promise<WithinDistanceResult> {
    const q = checkQuery(points, maxDist, options);
    const threads = resolveThreads(options);
    assertAbortSignal("options.signal", options?.signal);
    const signal = options?.signal;
    if (threads === 0) {
      const centers = this.#reference().centers;
      const flat = q.points.slice();
      return runReferenceAsync(signal, async (checkpoint) => {
        const n = flat.length / 2;
        const indices: number[] = [];
        const offsets = new Uint32Array(n + 1);
        for (let start = 0; start < n; start += REFERENCE_ASYNC_CHUNK) {
          withinDistanceRange(centers, flat, q, indices, offsets, start, Math.min(n, start + REFERENCE_ASYNC_CHUNK));
          await checkpoint();
        }
        return { offsets, indices: Uint32Array.from(indices) };
      });
    }
    const index = this.#nativeIndex(threads);
    const binding = native as NativeBinding;
    return runNativeAsync(signal, (token) => binding.polygonWithinDistanceAsync(index, q.points, q.maxDist, q.inclusive, threads, token));
  }

  /** `nearest` off the event loop; `options.signal` aborts it. Points are copied first. */
  async nearestAsync(points: PointsInput, k: number, maxDist = Number.POSITIVE_INFINITY, options?: PolygonQueryAsyncOptions): Promise<NearestResult> {
    const q = checkQuery(points, maxDist, options);
    assertK("k", k, q.points.length / 2);
    const threads = resolveThreads(options);
    assertAbortSignal("options.signal", options?.signal);
    const signal = options?.signal;
    if (threads === 0) {
      const centers = this.#reference().centers;
      const flat = q.points.slice();
      return runReferenceAsync(signal, async (checkpoint) => {
        const n = flat.length / 2;
        const indices = new Int32Array(n * k);
        const distances = new Float64Array(n * k);
        for (let start = 0; start < n; start += REFERENCE_ASYNC_CHUNK) {
          nearestRange(centers, flat, k, q, indices, distances, start, Math.min(n, start + REFERENCE_ASYNC_CHUNK));
          await checkpoint();
        }
        return { indices, distances };
      });
    }
    const index = this.#nativeIndex(threads);
    const binding = native as NativeBinding;
    return runNativeAsync(signal, (token) => binding.polygonNearestAsync(index, q.points, k, q.maxDist, q.inclusive, threads, token));
  }
}
