import { findClosePolygons, matchPointsToPolygons, Polygon, PolygonIndex, selectBestPolygon } from "../ts";
import { native } from "../ts/native";

const square = new Polygon([0, 1, 1, 0], [0, 0, 1, 1]);
const flat = { x: Float64Array.of(0, 1, 0, 5, 6, 5), y: Float64Array.of(0, 0, 1, 5, 5, 6), offsets: [0, 3, 6] };

describe.each([0, 1])("bad input throws the same error from both backends (threads %i)", (threads) => {
  const index = new PolygonIndex(flat, { threads });
  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ["odd-length point buffer", () => index.bestMatch(Float64Array.of(1, 2, 3), 1, { threads }), RangeError, "points must hold x, y pairs (even length), got Float64Array(3)"],
    ["NaN point coordinate", () => index.withinDistance(Float64Array.of(1, Number.NaN), 1, { threads }), RangeError, "points[1] must be a finite number, got NaN"],
    ["Infinity in a pair", () => matchPointsToPolygons([square], [[0, Number.POSITIVE_INFINITY]], 10, { threads }), RangeError, "points[0][1] must be a finite number, got Infinity"],
    ["point of wrong length", () => index.closeTo([1, 2, 3], 1, { threads }), RangeError, "point must have length 2 ([x, y]), got length 3"],
    ["points not an array", () => index.bestMatch("1,2" as never, 1, { threads }), TypeError, 'points must be an array of [x, y] points or a flat Float64Array or Float32Array, got "1,2"'],
    ["negative maxDist", () => index.bestMatch(Float64Array.of(0, 0), -1, { threads }), RangeError, "maxDist must be a number >= 0, got -1"],
    ["NaN maxDist", () => findClosePolygons([square], [0, 0], Number.NaN, { threads }), RangeError, "maxDist must be a number >= 0, got NaN"],
    ["k < 1", () => index.nearest(Float64Array.of(0, 0), 0, 1, { threads }), RangeError, "k must be an integer from 1 to 2147483647, got 0"],
    ["fractional k", () => index.nearest(Float64Array.of(0, 0), 1.5, 1, { threads }), RangeError, "k must be an integer from 1 to 2147483647, got 1.5"],
    ["x/y length mismatch", () => new PolygonIndex({ x: Float64Array.of(0, 1), y: Float64Array.of(0), offsets: [0, 1] }, { threads }), RangeError, "polygons.x and polygons.y must have the same length, got 2 and 1"],
    ["empty polygon", () => new PolygonIndex({ x: Float64Array.of(0, 1), y: Float64Array.of(0, 1), offsets: [0, 0, 2] }, { threads }), RangeError, "polygons: polygon 0 is empty (offsets[0] = offsets[1] = 0)"],
    ["decreasing offsets", () => new PolygonIndex({ x: Float64Array.of(0, 1, 2), y: Float64Array.of(0, 1, 2), offsets: [0, 2, 1, 3] }, { threads }), RangeError, "polygons.offsets must be non-decreasing, got offsets[2] = 1 < offsets[1] = 2"],
    ["offsets past the buffer", () => new PolygonIndex({ x: Float64Array.of(0, 1), y: Float64Array.of(0, 1), offsets: [0, 3] }, { threads }), RangeError, "polygons.offsets[1] runs past the vertex buffers (length 2), got 3"],
    ["offsets not starting at 0", () => new PolygonIndex({ x: Float64Array.of(0, 1), y: Float64Array.of(0, 1), offsets: [1, 2] }, { threads }), RangeError, "polygons.offsets[0] must be 0, got 1"],
    ["NaN vertex", () => new PolygonIndex({ x: Float64Array.of(0, Number.NaN), y: Float64Array.of(0, 1), offsets: [0, 2] }, { threads }), RangeError, "polygons.x[1] must be a finite number, got NaN"],
    ["Infinity in a Polygon", () => new Polygon([0, Number.POSITIVE_INFINITY], [0, 1]), RangeError, "polygon.x[1] must be a finite number, got Infinity"],
    ["empty Polygon", () => new Polygon([], []), RangeError, "polygon must have at least one vertex, got Float64Array(0)"],
    ["Polygon x/y mismatch", () => new Polygon([0, 1], [0]), RangeError, "polygon.x and polygon.y must have the same length, got 2 and 1"],
    ["a non-Polygon in the list", () => matchPointsToPolygons([square, { x: 1 } as never], [[0, 0]], 10, { threads }), TypeError, "polygons[1].x must be a Float64Array, got 1"],
    ["empty candidate set", () => selectBestPolygon([[[0, 0], []]], { threads }), RangeError, "sets[0][1] must not be empty (a point needs a candidate), got Array(0)"],
    ["scores of the wrong length", () => index.bestMatch(Float64Array.of(0, 0), 1, { best: Float64Array.of(1), threads }), RangeError, "options.best must have one score per polygon (length 2), got length 1"],
    ["unknown best", () => index.bestMatch(Float64Array.of(0, 0), 1, { best: "perimeter" as never, threads }), RangeError, 'options.best must be "area" or a Float64Array of scores, got "perimeter"'],
    ["inclusive not boolean", () => index.closeTo([0, 0], 1, { inclusive: 1 as never, threads }), TypeError, "options.inclusive must be a boolean or undefined, got 1"],
  ];
  test.each(cases)("%s", (_name, call, kind, message) => {
    expect(call).toThrow(kind);
    expect(call).toThrow(message);
  });
});

describe("the native index validates on its own too (never panics)", () => {
  // npm test builds the addon; a missing one is a broken build (see foundation.test.ts).
  const binding = native as NonNullable<typeof native>;
  test.each([
    ["odd points", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1).bestMatchInto(Float64Array.of(1), 1, false, undefined, 1, new Int32Array(0)), "points must hold x, y pairs"],
    ["bad offsets", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 2), 1), "offsets[1] runs past the vertex buffers (length 1), got 2"],
    ["empty polygon", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 0, 1), 1), "polygon 0 is empty"],
    ["NaN vertex", () => binding.PolygonNativeIndex.build(Float64Array.of(Number.NaN), Float64Array.of(0), Uint32Array.of(0, 1), 1), "x[0] must be a finite number, got NaN"],
    ["negative maxDist", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1).closeTo(0, 0, -1, false), "maxDist must be a number >= 0, got -1"],
    ["k = 0", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1).nearest(Float64Array.of(0, 0), 0, 1, false, { indices: new Int32Array(0), distances: new Float64Array(0) }, 1), "k must be an integer from 1 to 2147483647, got 0"],
    ["NaN score", () => binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1).bestMatchInto(Float64Array.of(0, 0), 1, false, Float64Array.of(Number.NaN), 1, new Int32Array(1)), "options.best[0] must not be NaN"],
  ])("%s is an error, not a crash", (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
