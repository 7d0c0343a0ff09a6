/**
 * `PolygonIndex`: polygons packed once (centers and areas computed once),
 * queried many times. The native backend keeps the packed data and a grid
 * over the centers in a Rust object; the reference backend answers by brute
 * force over the same centers and areas.
 *
 * The build and every query are entries of the kernel table: structural
 * checks once in `prepare`; coordinate and score scans in the backend that
 * runs (the reference below, Rust for native calls).
 *
 * Native outputs of known size (best matches, nearest slots) are allocated
 * here, so V8 owns and accounts for them, and filled in place by the
 * binding; `closeTo` and `withinDistance` results are copied by the binding
 * into engine-owned typed arrays. Flat Float32Array query points are widened
 * by the backend (the reference below, the binding off-thread).
 */
import { once, registerKernel } from "../dispatch/kernel";
import type { Steps } from "../dispatch/kernel";
import { callNative } from "../errors";
import { native } from "../native";
import type { NativeBinding } from "../native";
import type { AsyncKernelOptions, KernelOptions } from "../threads";
import { show, widenFloats, withDefault } from "../validate";
import type { FloatArray } from "../validate";
import { geometryOfPolygons, isPolygon, Polygon } from "./polygon";
import { decode, encode } from "./serialize";
import { bestMatchRange, closeTo, nearestRange, packedGeometry, withinDistanceRange } from "./reference";
import type { PackedGeometry, Query } from "./reference";
import {
  assertBoolean, assertK, assertMaxDist, assertScores, checkFlatPolygons, flattenPoints, packPolygons, readPoint, scanFinite, scanScores,
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

/** Options of `nearest` in its options form: `maxDist` is an option there. */
export interface NearestOptions extends PolygonQueryOptions {
  /** Only centers within it count. Default Infinity. */
  maxDist?: number;
}

export interface PolygonQueryAsyncOptions extends AsyncKernelOptions {
  /** As in {@link PolygonQueryOptions.inclusive}. */
  inclusive?: boolean;
}

export interface BestMatchAsyncOptions extends PolygonQueryAsyncOptions {
  /** As in {@link BestMatchOptions.best}. */
  best?: "area" | Float64Array;
}

export interface NearestAsyncOptions extends PolygonQueryAsyncOptions {
  /** As in {@link NearestOptions.maxDist}. */
  maxDist?: number;
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

/** Packed, validated vertex buffers (`rings` undefined: one ring per polygon). Internal. */
class PackedPolygons {
  constructor(readonly x: Float64Array, readonly y: Float64Array, readonly offsets: Uint32Array, readonly rings: Uint32Array | undefined) {}

  copy(): PackedPolygons {
    return new PackedPolygons(this.x.slice(), this.y.slice(), this.offsets.slice(), this.rings?.slice());
  }
}

/** Whether every element was made by the `Polygon` class. */
function allPolygonObjects(polygons: ReadonlyArray<unknown>): polygons is ReadonlyArray<Polygon> {
  for (let i = 0; i < polygons.length; i++) if (!isPolygon(polygons[i])) return false;
  return true;
}

/** Points per reference step (async calls yield to the event loop between steps). */
const REFERENCE_CHUNK = 1024;


/** What a build produces: the packed inputs kept for the other backend, and the backend built now. */
interface Built {
  length: number;
  vertices: PackedPolygons | undefined;
  /** The `Polygon` objects of an index built from them (their vertices, packed on demand). */
  polygons: ReadonlyArray<Polygon> | undefined;
  geometry: PackedGeometry | undefined;
  native: NativeIndex | undefined;
}

type BuildSource =
  | { kind: "objects"; polygons: ReadonlyArray<Polygon>; geometry: PackedGeometry | undefined }
  | { kind: "flat"; vertices: PackedPolygons };

function buildPrepare(polygons: unknown): BuildSource {
  if (Array.isArray(polygons) && allPolygonObjects(polygons)) return { kind: "objects", polygons, geometry: undefined };
  // An array of polygon-like objects is packed into new buffers, each vertex
  // checked as it is copied; flat buffers are checked structurally here and
  // scanned by the backend.
  if (Array.isArray(polygons)) {
    const { x, y, offsets } = packPolygons("polygons", polygons);
    return { kind: "flat", vertices: new PackedPolygons(x, y, offsets, undefined) };
  }
  const { x, y, offsets, rings } = checkFlatPolygons("polygons", polygons);
  return { kind: "flat", vertices: new PackedPolygons(x, y, offsets, rings) };
}

function sourceGeometry(source: BuildSource & { kind: "objects" }): PackedGeometry {
  return source.geometry ?? geometryOfPolygons(source.polygons);
}

function buildReference(source: BuildSource): Built {
  if (source.kind === "objects") {
    const geometry = sourceGeometry(source);
    return { length: geometry.areas.length, vertices: undefined, polygons: source.polygons, geometry, native: undefined };
  }
  const { x, y, offsets, rings } = source.vertices;
  scanFinite("polygons.x", x);
  scanFinite("polygons.y", y);
  const geometry = packedGeometry(x, y, offsets, rings);
  return { length: geometry.areas.length, vertices: source.vertices, polygons: undefined, geometry, native: undefined };
}

function builtNative(source: BuildSource, index: NativeIndex): Built {
  return source.kind === "objects"
    ? { length: index.length, vertices: undefined, polygons: source.polygons, geometry: sourceGeometry(source), native: index }
    : { length: index.length, vertices: source.vertices, polygons: undefined, geometry: undefined, native: index };
}

const buildKernel = registerKernel<[polygons: ReadonlyArray<PolygonLike> | FlatPolygons, options?: unknown], BuildSource, Built>({
  name: "PolygonIndex.build",
  optionsIndex: 1,
  optionKeys: [],
  prepare: ([polygons]) => buildPrepare(polygons),
  reference: (source) => once(() => buildReference(source)),
  native: (source, b, threads) => {
    if (source.kind === "flat") {
      const { x, y, offsets, rings } = source.vertices;
      return builtNative(source, b.PolygonNativeIndex.buildRings(x, y, offsets, rings, threads));
    }
    const { centers, areas } = sourceGeometry(source);
    return builtNative(source, b.PolygonNativeIndex.fromGeometry(centers, areas, threads));
  },
  nativeAsync: async (source, b, { threads, borrow }) => {
    if (source.kind === "flat") {
      // The binding copies the buffers (unless lent); the index keeps these
      // (the caller's own) for a later reference query, as the sync build does.
      const { x, y, offsets, rings } = source.vertices;
      return builtNative(source, await b.polygonIndexBuildAsync(x, y, offsets, rings, borrow, threads));
    }
    const { centers, areas } = sourceGeometry(source);
    return builtNative(source, await b.polygonIndexFromGeometryAsync(centers, areas, borrow, threads));
  },
  // Polygon objects: their cached geometry is taken now; flat buffers: copied.
  copyInputs: (source) =>
    source.kind === "objects"
      ? { ...source, geometry: sourceGeometry(source) }
      : { kind: "flat", vertices: source.vertices.copy() },
});

/** Internal access to an index's backends for the query kernels (set in the class's static block). */
let referenceOf: (index: PolygonIndex) => PackedGeometry;
let nativeOf: (index: PolygonIndex, threads: number) => NativeIndex;

function checkIndex(index: unknown): asserts index is PolygonIndex {
  if (!(index instanceof PolygonIndex)) throw new TypeError(`this must be a PolygonIndex, got ${show(index)}`);
}

function readInclusive(options: unknown): boolean {
  const inclusive = (options as { inclusive?: unknown } | undefined)?.inclusive;
  assertBoolean("options.inclusive", inclusive);
  return inclusive ?? false;
}

interface QueryCall extends Query {
  index: PolygonIndex;
  points: FloatArray;
  /** Whether `points` is the caller's buffer (then the reference scans it; packed pairs were checked while packed). */
  scan: boolean;
}

function prepareQuery(index: unknown, points: unknown, maxDist: unknown, options: unknown): QueryCall {
  checkIndex(index);
  const flat = flattenPoints("points", points);
  assertMaxDist("maxDist", maxDist);
  return { index, points: flat, scan: flat === points, maxDist, inclusive: readInclusive(options) };
}

function copyQuery<C extends QueryCall>(call: C): C {
  return call.scan ? { ...call, points: call.points.slice() } : call;
}

/** The reference's query points: widened to float64 and, if they are the caller's, scanned. */
function referencePoints(call: QueryCall): Float64Array {
  const points = widenFloats(call.points);
  if (call.scan) scanFinite("points", points);
  return points;
}

/** The chunks of a reference query; a progress event `{ done, total }` (points) after each. */
function* chunks(n: number, step: (start: number, end: number) => void): Steps<void> {
  for (let start = 0; start < n; start += REFERENCE_CHUNK) {
    const end = Math.min(n, start + REFERENCE_CHUNK);
    step(start, end);
    yield { done: end, total: n };
  }
}

const closeToKernel = registerKernel<[index: PolygonIndex, point: PointLike, maxDist: number, options?: unknown], QueryCall & { px: number; py: number }, Uint32Array>({
  name: "PolygonIndex.closeTo",
  optionsIndex: 3,
  optionKeys: ["inclusive"],
  prepare: ([index, point, maxDist, options]) => {
    checkIndex(index);
    const [px, py] = readPoint("point", point);
    assertMaxDist("maxDist", maxDist);
    return { index, points: new Float64Array(0), scan: false, px, py, maxDist, inclusive: readInclusive(options) };
  },
  reference: (q) => once(() => Uint32Array.from(closeTo(referenceOf(q.index).centers, q.px, q.py, q))),
  native: (q, _b, threads) => nativeOf(q.index, threads).closeTo(q.px, q.py, q.maxDist, q.inclusive),
});

interface BestCall extends QueryCall {
  scores: Float64Array | undefined;
}

const bestMatchKernel = registerKernel<[index: PolygonIndex, points: PointsInput, maxDist: number, options?: unknown], BestCall, Int32Array>({
  name: "PolygonIndex.bestMatch",
  optionsIndex: 3,
  optionKeys: ["inclusive", "best"],
  prepare: ([index, points, maxDist, options]) => {
    const q = prepareQuery(index, points, maxDist, options);
    const best = (options as { best?: unknown } | undefined)?.best;
    let scores: Float64Array | undefined;
    if (best !== undefined && best !== "area") {
      if (typeof best === "string") throw new RangeError(`options.best must be "area" or a Float64Array of scores, got ${show(best)}`);
      assertScores("options.best", best, q.index.length);
      scores = best;
    }
    return { ...q, scores };
  },
  *reference(q) {
    const points = referencePoints(q);
    if (q.scores) scanScores("options.best", q.scores);
    const { centers, areas } = referenceOf(q.index);
    const out = new Int32Array(points.length / 2);
    yield* chunks(out.length, (start, end) => bestMatchRange(centers, q.scores ?? areas, points, q, out, start, end));
    return out;
  },
  native: (q, _b, threads) => {
    const index = nativeOf(q.index, threads);
    const out = new Int32Array(q.points.length / 2);
    index.bestMatchInto(q.points, q.maxDist, q.inclusive, q.scores, threads, out);
    return out;
  },
  nativeAsync: async (q, b, { threads, token, borrow, onProgress }) => {
    const out = new Int32Array(q.points.length / 2);
    const { progressEvents } = await b.polygonBestMatchAsync(nativeOf(q.index, threads), asyncQuery(q, threads, borrow), q.scores, out, token, onProgress);
    return Object.assign(out, { progressEvents });
  },
  copyInputs: (q) => ({ ...copyQuery(q), scores: q.scores?.slice() }),
});

/** The binding's query object of an async bulk query. */
function asyncQuery(q: QueryCall, threads: number, borrow: boolean) {
  return { points: q.points, borrow, maxDist: q.maxDist, inclusive: q.inclusive, threads };
}

const withinDistanceKernel = registerKernel<[index: PolygonIndex, points: PointsInput, maxDist: number, options?: unknown], QueryCall, WithinDistanceResult>({
  name: "PolygonIndex.withinDistance",
  optionsIndex: 3,
  optionKeys: ["inclusive"],
  prepare: ([index, points, maxDist, options]) => prepareQuery(index, points, maxDist, options),
  *reference(q) {
    const points = referencePoints(q);
    const centers = referenceOf(q.index).centers;
    const n = points.length / 2;
    const indices: number[] = [];
    const offsets = new Uint32Array(n + 1);
    yield* chunks(n, (start, end) => withinDistanceRange(centers, points, q, indices, offsets, start, end));
    return { offsets, indices: Uint32Array.from(indices) };
  },
  native: (q, _b, threads) => nativeOf(q.index, threads).withinDistance(q.points, q.maxDist, q.inclusive, threads),
  nativeAsync: (q, b, { threads, token, borrow, onProgress }) =>
    b.polygonWithinDistanceAsync(nativeOf(q.index, threads), asyncQuery(q, threads, borrow), token, onProgress),
  copyInputs: copyQuery,
});

/** `nearest(points, k, options)` or `nearest(points, k, maxDist, options)`. */
type NearestArgs =
  | [index: PolygonIndex, points: PointsInput, k: number, options?: unknown]
  | [index: PolygonIndex, points: PointsInput, k: number, maxDist: number | undefined, options?: unknown];

/** The k slots per point of a native `nearest` call (the kernel writes every slot). */
function nearestBuffers(q: QueryCall & { k: number }): NearestResult {
  const slots = (q.points.length / 2) * q.k;
  return { indices: new Int32Array(slots), distances: new Float64Array(slots) };
}

function nearestOptionsIndex(args: readonly unknown[]): number {
  return args.length >= 5 || typeof args[3] === "number" || args[3] === undefined ? 4 : 3;
}

const nearestKernel = registerKernel<NearestArgs, QueryCall & { k: number }, NearestResult>({
  name: "PolygonIndex.nearest",
  optionsIndex: nearestOptionsIndex,
  optionKeys: ["inclusive", "maxDist"],
  prepare: (args) => {
    const at = nearestOptionsIndex(args);
    const options = args[at] as { maxDist?: unknown } | undefined;
    const positional = at === 4 ? args[3] : undefined;
    if (positional !== undefined && options?.maxDist !== undefined) {
      throw new TypeError("maxDist must be given once: as the third argument or as options.maxDist, not both");
    }
    const maxDist = withDefault(positional, withDefault(options?.maxDist, Number.POSITIVE_INFINITY));
    const q = prepareQuery(args[0], args[1], maxDist, options);
    assertK("k", args[2], q.points.length / 2);
    return { ...q, k: args[2] };
  },
  *reference(q) {
    const points = referencePoints(q);
    const centers = referenceOf(q.index).centers;
    const n = points.length / 2;
    const indices = new Int32Array(n * q.k);
    const distances = new Float64Array(n * q.k);
    yield* chunks(n, (start, end) => nearestRange(centers, points, q.k, q, indices, distances, start, end));
    return { indices, distances };
  },
  native: (q, _b, threads) => {
    const out = nearestBuffers(q);
    nativeOf(q.index, threads).nearest(q.points, q.k, q.maxDist, q.inclusive, out, threads);
    return out;
  },
  nativeAsync: async (q, b, { threads, token, borrow, onProgress }) => {
    const out = nearestBuffers(q);
    const { progressEvents } = await b.polygonNearestAsync(nativeOf(q.index, threads), asyncQuery(q, threads, borrow), q.k, out, token, onProgress);
    return Object.assign(out, { progressEvents });
  },
  copyInputs: copyQuery,
});

export class PolygonIndex {
  /** Number of polygons. */
  readonly length: number;
  /** Packed vertices (flat buffers or polygon-like objects), if given; packed from `#polygons` on demand. */
  #vertices: PackedPolygons | undefined;
  /** The `Polygon` objects an index was built from. */
  readonly #polygons: ReadonlyArray<Polygon> | undefined;
  #native: NativeIndex | undefined;
  #geometry: PackedGeometry | undefined;
  /** Entry -> feature of an index built from GeoJSON (or loaded with one). */
  #featureIndex: Int32Array | undefined;
  #featureCount = 0;

  /** A build finished by `buildAsync`, taken by the constructor it calls. */
  static #pending: Built | undefined;

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
   *   mismatch, empty polygons, bad offsets, NaN/Infinity coordinates,
   *   unknown option keys).
   */
  constructor(polygons: ReadonlyArray<PolygonLike> | FlatPolygons, options?: KernelOptions) {
    const built = PolygonIndex.#pending ?? buildKernel.sync(polygons, options);
    PolygonIndex.#pending = undefined;
    this.length = built.length;
    this.#vertices = built.vertices;
    this.#polygons = built.polygons;
    this.#geometry = built.geometry;
    this.#native = built.native;
  }

  /**
   * Builds an index off the event loop: same arguments as the constructor,
   * plus the async options (`signal`; flat buffers and `Polygon` geometry are
   * copied before it returns unless `borrow: true`).
   */
  static async buildAsync(polygons: ReadonlyArray<PolygonLike> | FlatPolygons, options?: AsyncKernelOptions): Promise<PolygonIndex> {
    const built = await buildKernel.async(polygons, options);
    PolygonIndex.#pending = built;
    return new PolygonIndex(polygons);
  }

  /**
   * The index as one contiguous little-endian buffer (see
   * `ts/polygon/serialize.ts` for the layout): the vertices, rings and
   * feature index. Centers, areas and the grid are rebuilt by
   * `deserialize`. An index built from `Polygon` objects stores their
   * vertices (packed once, here).
   */
  serialize(): Uint8Array {
    const { x, y, offsets, rings } = this.#packed();
    return encode({ x, y, offsets, rings, featureIndex: this.#featureIndex, featureCount: this.#featureCount });
  }

  /**
   * An index from a `serialize()` buffer, checked before anything is built
   * (magic, version, flags, exact length, finite coordinates, offsets,
   * rings and feature indices): a TypeError or RangeError naming what is
   * wrong, never a crash. The bytes are copied. `options.threads` picks the
   * backend built now, as in the constructor.
   */
  static deserialize(bytes: Uint8Array, options?: KernelOptions): PolygonIndex {
    const parts = decode(bytes);
    const index = new PolygonIndex({ x: parts.x, y: parts.y, offsets: parts.offsets, rings: parts.rings }, options);
    index.#featureIndex = parts.featureIndex;
    index.#featureCount = parts.featureCount;
    return index;
  }

  static {
    referenceOf = (index) => index.#reference();
    nativeOf = (index, threads) => index.#nativeIndex(threads);
  }

  #reference(): PackedGeometry {
    if (!this.#geometry) {
      const { x, y, offsets, rings } = this.#vertices as PackedPolygons;
      this.#geometry = packedGeometry(x, y, offsets, rings);
    }
    return this.#geometry;
  }

  /** The packed vertices (from the `Polygon` objects the first time, for an index built from them). */
  #packed(): PackedPolygons {
    if (!this.#vertices) {
      const { x, y, offsets } = packPolygons("polygons", this.#polygons as ReadonlyArray<Polygon>);
      this.#vertices = new PackedPolygons(x, y, offsets, undefined);
    }
    return this.#vertices;
  }

  #nativeIndex(threads: number): NativeIndex {
    if (!this.#native) {
      const binding = native as NativeBinding;
      const vertices = this.#vertices;
      const geometry = this.#geometry;
      this.#native = vertices
        ? callNative(() => binding.PolygonNativeIndex.buildRings(vertices.x, vertices.y, vertices.offsets, vertices.rings, threads))
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
    return closeToKernel.sync(this, point, maxDist, options);
  }

  /**
   * Per point, the close polygon with the lowest area (or score), ties to the
   * lowest index; -1 where no polygon is close.
   * @param points flat Float64Array `x0, y0, x1, y1, ...` or an array of `[x, y]`
   */
  bestMatch(points: PointsInput, maxDist: number, options?: BestMatchOptions): Int32Array {
    return bestMatchKernel.sync(this, points, maxDist, options);
  }

  /** Every close polygon per point (CSR, ascending indices per point). */
  withinDistance(points: PointsInput, maxDist: number, options?: PolygonQueryOptions): WithinDistanceResult {
    return withinDistanceKernel.sync(this, points, maxDist, options);
  }

  /**
   * The k nearest centers per point (see {@link NearestResult} for the layout).
   * Two call forms: `nearest(points, k, options)` with `options.maxDist`, or
   * `nearest(points, k, maxDist, options)`.
   * @param k an integer from 1 to MAX_NEIGHBORS (4096); points x k must stay
   *   within MAX_OUTPUT_ELEMENTS. Checked before anything is allocated.
   * @param maxDist only centers within it count; default Infinity
   */
  nearest(points: PointsInput, k: number, options?: NearestOptions): NearestResult;
  nearest(points: PointsInput, k: number, maxDist?: number, options?: PolygonQueryOptions): NearestResult;
  nearest(points: PointsInput, k: number, maxDistOrOptions?: number | NearestOptions, options?: PolygonQueryOptions): NearestResult {
    const args = (arguments.length >= 4 ? [this, points, k, maxDistOrOptions, options] : [this, points, k, maxDistOrOptions]) as NearestArgs;
    return nearestKernel.sync(...args);
  }

  /** `bestMatch` off the event loop; `options.signal` aborts it. Points are copied first (unless `borrow: true`). */
  bestMatchAsync(points: PointsInput, maxDist: number, options?: BestMatchAsyncOptions): Promise<Int32Array> {
    return bestMatchKernel.async(this, points, maxDist, options);
  }

  /** `withinDistance` off the event loop; `options.signal` aborts it. Points are copied first (unless `borrow: true`). */
  withinDistanceAsync(points: PointsInput, maxDist: number, options?: PolygonQueryAsyncOptions): Promise<WithinDistanceResult> {
    return withinDistanceKernel.async(this, points, maxDist, options);
  }

  /** `nearest` off the event loop (both call forms); `options.signal` aborts it. Points are copied first (unless `borrow: true`). */
  nearestAsync(points: PointsInput, k: number, options?: NearestAsyncOptions): Promise<NearestResult>;
  nearestAsync(points: PointsInput, k: number, maxDist?: number, options?: PolygonQueryAsyncOptions): Promise<NearestResult>;
  nearestAsync(points: PointsInput, k: number, maxDistOrOptions?: number | NearestAsyncOptions, options?: PolygonQueryAsyncOptions): Promise<NearestResult> {
    const args = (arguments.length >= 4 ? [this, points, k, maxDistOrOptions, options] : [this, points, k, maxDistOrOptions]) as NearestArgs;
    return nearestKernel.async(...args);
  }
}
