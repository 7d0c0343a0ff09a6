/**
 * The lean paths: the original API and `PolygonIndex(Polygon[])` index the
 * Polygons' cached centers and areas (no vertex copy), `bestMatch` fills a
 * buffer made in JS, and large inputs take the parallel bucketing paths.
 * Each is checked against the brute-force reference and against the Rust
 * definitions of center and area.
 */
import { generateExample, matchPointsToPolygons, Polygon, PolygonIndex } from "../ts";
import { native } from "../ts/native";
import { expectSameArray, latticePoints, latticePolygons } from "./helpers/polygon-data";
import type { FlatData } from "./helpers/polygon-data";

function polygonsOf(data: FlatData): Polygon[] {
  return Array.from({ length: data.offsets.length - 1 }, (_, i) =>
    new Polygon(data.x.slice(data.offsets[i], data.offsets[i + 1]), data.y.slice(data.offsets[i], data.offsets[i + 1])));
}

describe("Polygon objects are indexed by their cached center and area", () => {
  test("Rust's center and area (from vertices) have the same bits as Polygon's (TS)", () => {
    const [example] = generateExample();
    const lattice = polygonsOf(latticePolygons(9, 500, 40));
    for (const polygons of [example, lattice]) {
      // Plain {x, y} objects are packed and measured by Rust; Polygons bring their own values.
      const plain = polygons.map((p) => ({ x: p.x, y: p.y }));
      const fromVertices = new PolygonIndex(plain, { threads: 2 });
      const fromPolygons = new PolygonIndex(polygons, { threads: 2 });
      expectSameArray(fromVertices.areas, Float64Array.from(polygons, (p) => p.area()));
      expectSameArray(fromVertices.centers, Float64Array.from(polygons.flatMap((p) => [p.center[0], p.center[1]])));
      expectSameArray(fromPolygons.areas, fromVertices.areas);
      expectSameArray(fromPolygons.centers, fromVertices.centers);
    }
  });

  test("Polygon[], plain objects and flat buffers give the same answers on both backends", () => {
    const data = latticePolygons(11, 600, 50);
    const polygons = polygonsOf(data);
    const plain = polygons.map((p) => ({ x: p.x, y: p.y }));
    const points = latticePoints(12, 700, 52);
    const expected = new PolygonIndex(data, { threads: 0 }).bestMatch(points, 3, { threads: 0 });
    expect(expected.some((b) => b >= 0) && expected.some((b) => b < 0)).toBe(true);
    for (const threads of [0, 1, 2, 3]) {
      for (const source of [data, polygons, plain]) {
        expectSameArray(new PolygonIndex(source, { threads }).bestMatch(points, 3, { threads }), expected);
      }
    }
  });

  test("matchPointsToPolygons with many points (parallel chunks) matches the reference", () => {
    const polygons = polygonsOf(latticePolygons(13, 800, 60));
    const points = latticePoints(14, 900, 62);
    const key = (pairs: Array<[ArrayLike<number>, Polygon]>) => pairs.map(([p, poly]) => `${p[0]},${p[1]}:${polygons.indexOf(poly)}`);
    const reference = key(matchPointsToPolygons(polygons, points, 4, { threads: 0 }));
    expect(reference.length).toBeGreaterThan(100);
    for (const threads of [1, 2, 3]) {
      expect(key(matchPointsToPolygons(polygons, points, 4, { threads }))).toEqual(reference);
    }
  });

  test("a Polygon's vertex arrays cannot be swapped after construction", () => {
    const polygon = new Polygon([0, 1, 1, 0], [0, 0, 1, 1]);
    expect(() => {
      (polygon as { x: Float64Array }).x = Float64Array.of(Number.NaN);
    }).toThrow(TypeError);
    expect(polygon.area()).toBe(1);
  });

  test("an object that only pretends to be a Polygon is rejected, not trusted", () => {
    const fake = Object.create(Polygon.prototype) as Polygon;
    expect(fake instanceof Polygon).toBe(true);
    expect(() => matchPointsToPolygons([fake], [[0, 0]], 10, { threads: 1 })).toThrow(TypeError);
    expect(() => matchPointsToPolygons([fake], [[0, 0]], 10, { threads: 0 })).toThrow(TypeError);
  });
});

describe("NaN areas (shoelace overflow) follow the original's scan on both backends", () => {
  // Vertices near ±1e155: the products overflow, the area is NaN, the center
  // is finite. The NaN polygon (index 0) sits in a later grid cell than the
  // square (index 1), so the native grid meets the square first.
  const a = 1e155;
  const nanPolygon = new Polygon([a + 0.6, a + 0.6, -a + 0.6, -a + 0.6], [a, a, -a, -a]);
  const square = new Polygon([-1.1, -0.1, -0.1, -1.1], [-0.5, -0.5, 0.5, 0.5]);

  test.each([
    ["NaN first", [nanPolygon, square], 0],
    ["NaN last", [square, nanPolygon], 0],
  ] as Array<[string, Polygon[], number]>)("%s: nothing is smaller than NaN, and NaN never replaces", (_name, polygons, expected) => {
    expect(Number.isNaN(nanPolygon.area())).toBe(true);
    const points = Float64Array.of(0, 0);
    const plain = polygons.map((p) => ({ x: p.x, y: p.y }));
    for (const threads of [0, 1, 2]) {
      expect(Array.from(new PolygonIndex(polygons, { threads }).bestMatch(points, 5, { threads }))).toEqual([expected]);
      expect(Array.from(new PolygonIndex(plain, { threads }).bestMatch(points, 5, { threads }))).toEqual([expected]);
      const pairs = matchPointsToPolygons(polygons, points, 5, { threads });
      expect(pairs.map(([, polygon]) => polygons.indexOf(polygon))).toEqual([expected]);
    }
  });
});

describe("inputs larger than one bucketing chunk (16384) take the parallel paths", () => {
  test("17,000 polygons (parallel grid build) and 17,000 points (parallel query order) match brute force", () => {
    const data = latticePolygons(15, 17_000, 400);
    const points = latticePoints(16, 17_000, 402);
    const sample = points.subarray(0, 2 * 400);
    const reference = new PolygonIndex(data, { threads: 0 }).bestMatch(sample, 3, { threads: 0 });
    const one = new PolygonIndex(data, { threads: 1 }).bestMatch(points, 3, { threads: 1 });
    expectSameArray(one.slice(0, 400), reference);
    expect(one.filter((b) => b >= 0).length).toBeGreaterThan(1000);
    for (const threads of [2, 3]) {
      const index = new PolygonIndex(data, { threads });
      expectSameArray(index.bestMatch(points, 3, { threads }), one);
      const within = index.withinDistance(points, 3, { threads });
      const within1 = new PolygonIndex(data, { threads: 1 }).withinDistance(points, 3, { threads: 1 });
      expectSameArray(within.offsets, within1.offsets);
      expectSameArray(within.indices, within1.indices);
    }
  });
});

describe("the native output-buffer entry points guard their arguments (never crash)", () => {
  const binding = native as NonNullable<typeof native>;
  const index = binding.PolygonNativeIndex.build(Float64Array.of(0), Float64Array.of(0), Uint32Array.of(0, 1), 1);

  test("bestMatchInto: wrong out length and out sharing memory with points are errors", () => {
    const points = Float64Array.of(0, 0, 1, 1);
    expect(() => index.bestMatchInto(points, 1, false, undefined, 1, new Int32Array(3))).toThrow("out must have one slot per point (length 2), got length 3");
    const shared = new Float64Array(4);
    expect(() => index.bestMatchInto(shared, 1, false, undefined, 1, new Int32Array(shared.buffer, 0, 2))).toThrow("out must not share memory");
    const out = new Int32Array(2);
    index.bestMatchInto(points, 1, false, undefined, 1, out);
    expect(Array.from(out)).toEqual([0, -1]);
  });

  test("polygonBestMatchOnce: centers/areas length mismatch and shared memory are errors", () => {
    expect(() => binding.polygonBestMatchOnce(Float64Array.of(0, 0, 1), Float64Array.of(1), Float64Array.of(0, 0), 1, false, 1, new Int32Array(1)))
      .toThrow("centers must hold an x, y pair per area (length 2), got length 3");
    const shared = new Float64Array(4);
    expect(() => binding.polygonBestMatchOnce(Float64Array.of(0, 0), Float64Array.of(1), shared, 1, false, 1, new Int32Array(shared.buffer, 8, 2)))
      .toThrow("out must not share memory");
    const out = new Int32Array(2);
    binding.polygonBestMatchOnce(Float64Array.of(0, 0, 5, 5), Float64Array.of(2, 1), Float64Array.of(0, 0, 5, 4), 1.5, false, 1, out);
    expect(Array.from(out)).toEqual([0, 1]);
  });
});
