import { readFileSync } from "node:fs";
import path from "node:path";

import {
  findClosePolygons, generateExample, generateOnePolygon, matchPointsToPolygons, Polygon, PolygonIndex, selectBestPolygon,
} from "../ts";
import { expectSameArray, latticePoints, latticePolygons } from "./helpers/polygon-data";

const fixture: { example: { numpyMainChoice: number[]; definedMainChoice: number[] } } = JSON.parse(
  readFileSync(path.join(__dirname, "fixtures", "polygon-numpy-rng.json"), "utf8"),
);

const NATIVE_THREADS = [1, 2, 3];

describe("the original's own tests", () => {
  test("the generated polygon: area about 0.108, center about (0.45, 0.826)", () => {
    const polygon = generateOnePolygon();
    expect(polygon.area()).toBeCloseTo(0.108, 2);
    expect(polygon.center[0]).toBeCloseTo(0.45, 12);
    expect(polygon.center[1]).toBeCloseTo(0.826, 2);
  });

  test("the unit box: area 1, center (0.5, 0.5)", () => {
    const box = new Polygon([0, 1, 1, 0], [0, 0, 1, 1]);
    expect(box.area()).toBe(1);
    expect(Array.from(box.center)).toEqual([0.5, 0.5]);
  });

  test.each([0, 1, 2])("main on the example matches the Python oracle of the documented summation order (threads %i)", (threads) => {
    const [polygons, points] = generateExample();
    const results = matchPointsToPolygons(polygons, points, 10, { threads });
    const chosen = fixture.example.definedMainChoice;
    expect(results.map(([, polygon]) => polygons.indexOf(polygon))).toEqual(chosen.filter((c) => c >= 0));
    expect(results.map(([point]) => point)).toEqual(points.filter((_, p) => chosen[p] >= 0));
    // The original's test_main: the first result by point is (0, 25). It
    // expected the polygon at (9, 27), an artefact of the author's BLAS.
    const sorted = [...results].sort((a, b) => a[0][0] - b[0][0] || a[0][1] - b[0][1]);
    expect(Array.from(sorted[0][0])).toEqual([0, 25]);
    expect([sorted[0][1].x[0], sorted[0][1].y[0]]).toEqual([7, 23]);
  });

  test("where numpy's BLAS chose differently, its pick is a candidate whose area ties ours to rounding", () => {
    const [polygons, points] = generateExample();
    const ours = fixture.example.definedMainChoice;
    const numpy = fixture.example.numpyMainChoice;
    let differing = 0;
    points.forEach((point, p) => {
      if (ours[p] === numpy[p]) return;
      differing++;
      const candidates = findClosePolygons(polygons, point, 10, { threads: 0 });
      expect(candidates).toContain(polygons[numpy[p]]);
      // The shoelace partial sums reach about 1e4 here, where one ulp is 1.8e-12.
      expect(Math.abs(polygons[numpy[p]].area() - polygons[ours[p]].area())).toBeLessThan(1e-10);
    });
    expect(differing).toBeGreaterThan(0); // the reason the summation order is defined at all
  });
});

describe("the original API, both backends", () => {
  const [polygons, points] = generateExample();

  test("matchPointsToPolygons: same pairs (same objects) from the reference and every thread count", () => {
    const reference = matchPointsToPolygons(polygons, points, 10, { threads: 0 });
    expect(reference.length).toBeGreaterThan(50);
    for (const threads of NATIVE_THREADS) {
      const native = matchPointsToPolygons(polygons, points, 10, { threads });
      expect(native.length).toBe(reference.length);
      native.forEach(([point, polygon], i) => {
        expect(point).toBe(reference[i][0]);
        expect(polygon).toBe(reference[i][1]);
      });
    }
  });

  test("the chosen polygon has the minimum area among its candidates, the earliest on ties", () => {
    const flat = Float64Array.from(points.flatMap((p) => Array.from(p)));
    const within = new PolygonIndex(polygons, { threads: 0 }).withinDistance(flat, 10, { threads: 0 });
    for (const threads of [0, 2]) {
      const best = new PolygonIndex(polygons, { threads }).bestMatch(flat, 10, { threads });
      best.forEach((chosen, p) => {
        const candidates = Array.from(within.indices.subarray(within.offsets[p], within.offsets[p + 1]));
        if (candidates.length === 0) return expect(chosen).toBe(-1);
        const min = Math.min(...candidates.map((c) => polygons[c].area()));
        expect(polygons[chosen].area()).toBe(min);
        expect(candidates.find((c) => polygons[c].area() === min)).toBe(chosen);
      });
    }
  });

  test("native index areas and centers have the same bits as Polygon.area() / center", () => {
    const index = new PolygonIndex(polygons, { threads: 2 });
    const areas = index.areas;
    const centers = index.centers;
    polygons.forEach((p, i) => {
      expect(areas[i]).toBe(p.area());
      expect(centers[2 * i]).toBe(p.center[0]);
      expect(centers[2 * i + 1]).toBe(p.center[1]);
    });
    expect(Array.from(new PolygonIndex(polygons, { threads: 0 }).areas)).toEqual(Array.from(areas));
  });

  test("findClosePolygons: input order, strict <, same from both backends", () => {
    for (const point of points.slice(0, 20)) {
      const reference = findClosePolygons(polygons, point, 10, { threads: 0 });
      expect(findClosePolygons(polygons, point, 10, { threads: 2 })).toEqual(reference);
      const indices = reference.map((p) => polygons.indexOf(p));
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
    }
  });

  test("selectBestPolygon: strictly smaller replaces, so ties keep the earliest", () => {
    const a = new Polygon([0, 2, 2, 0], [0, 0, 1, 1]); // area 2
    const b = new Polygon([5, 6, 6, 5], [5, 5, 7, 7]); // area 2, a tie with a
    const c = new Polygon([0, 1, 1, 0], [0, 0, 1, 1]); // area 1
    const p = [0, 0];
    for (const threads of [0, 1]) {
      const result = selectBestPolygon([[p, [a, b]], [p, [b, a]], [p, [b, c, a]]], { threads });
      expect(result.map(([, poly]) => poly)).toEqual([a, b, c]);
      expect(result[0][0]).toBe(p);
    }
  });

  test("points as one flat Float64Array; points without a candidate are skipped", () => {
    const flat = Float64Array.of(0, 25, 1e6, 1e6, 17, 11);
    for (const threads of [0, 2]) {
      const result = matchPointsToPolygons(polygons, flat, undefined, { threads });
      expect(result.map(([p]) => Array.from(p))).toEqual([[0, 25], [17, 11]]);
    }
  });
});

describe("PolygonIndex: native grid vs brute-force reference", () => {
  const data = latticePolygons(1, 400, 30);
  const points = latticePoints(2, 300, 32);
  const reference = new PolygonIndex(data, { threads: 0 });
  const native = new PolygonIndex(data, { threads: 2 });
  const radii = [0, 0.5, 1, 2.5, 5, 40, Number.POSITIVE_INFINITY];

  test.each(radii.flatMap((r) => [[r, false], [r, true]] as Array<[number, boolean]>))(
    "maxDist %p, inclusive %p: bestMatch, withinDistance, nearest, closeTo agree",
    (maxDist, inclusive) => {
      const refBest = reference.bestMatch(points, maxDist, { inclusive, threads: 0 });
      const refWithin = reference.withinDistance(points, maxDist, { inclusive, threads: 0 });
      const refNearest = reference.nearest(points, 4, maxDist, { inclusive, threads: 0 });
      for (const threads of NATIVE_THREADS) {
        expectSameArray(native.bestMatch(points, maxDist, { inclusive, threads }), refBest);
        const within = native.withinDistance(points, maxDist, { inclusive, threads });
        expectSameArray(within.offsets, refWithin.offsets);
        expectSameArray(within.indices, refWithin.indices);
        const got = native.nearest(points, 4, maxDist, { inclusive, threads });
        expectSameArray(got.indices, refNearest.indices);
        expectSameArray(got.distances, refNearest.distances);
      }
      for (let p = 0; p < 20; p++) {
        const point = [points[2 * p], points[2 * p + 1]];
        expect(native.closeTo(point, maxDist, { inclusive })).toEqual(reference.closeTo(point, maxDist, { inclusive, threads: 0 }));
      }
    },
  );

  test("lattice data has ties, duplicate centers and empty candidate sets", () => {
    const best = reference.bestMatch(points, 1, { threads: 0 });
    expect(best.includes(-1)).toBe(true);
    const centers = reference.centers;
    const keys = new Set<string>();
    for (let i = 0; i < reference.length; i++) keys.add(`${centers[2 * i]},${centers[2 * i + 1]}`);
    expect(keys.size).toBeLessThan(reference.length);
    const areas = Array.from(reference.areas);
    expect(new Set(areas).size).toBeLessThan(areas.length);
  });

  test("custom scores: the lowest wins, ties to the lowest index", () => {
    const scores = Float64Array.from({ length: reference.length }, (_, i) => i % 3);
    const refBest = reference.bestMatch(points, 5, { best: scores, threads: 0 });
    for (const threads of NATIVE_THREADS) expect(native.bestMatch(points, 5, { best: scores, threads })).toEqual(refBest);
    const within = reference.withinDistance(points, 5, { threads: 0 });
    refBest.forEach((b, p) => {
      const candidates = Array.from(within.indices.subarray(within.offsets[p], within.offsets[p + 1]));
      if (candidates.length === 0) return expect(b).toBe(-1);
      const min = Math.min(...candidates.map((i) => scores[i]));
      expect(b).toBe(candidates.find((i) => scores[i] === min));
    });
  });

  test("exact boundary cases: centers at exactly maxDist, maxDist = 0, duplicates", () => {
    // Squares centered at (0, 0) twice, at (3, 4) (distance 5) and (-5, 0) (distance 5).
    const square = (cx: number, cy: number) => new Polygon([cx - 1, cx + 1, cx + 1, cx - 1], [cy - 1, cy - 1, cy + 1, cy + 1]);
    const polys = [square(3, 4), square(0, 0), square(-5, 0), square(0, 0)];
    for (const threads of [0, 1, 2]) {
      const index = new PolygonIndex(polys, { threads });
      expect(Array.from(index.closeTo([0, 0], 5, { threads }))).toEqual([1, 3]);
      expect(Array.from(index.closeTo([0, 0], 5, { inclusive: true, threads }))).toEqual([0, 1, 2, 3]);
      expect(Array.from(index.closeTo([0, 0], 0, { threads }))).toEqual([]);
      expect(Array.from(index.closeTo([0, 0], 0, { inclusive: true, threads }))).toEqual([1, 3]);
      expect(Array.from(index.bestMatch(Float64Array.of(0, 0, 100, 100), 5, { inclusive: true, threads }))).toEqual([0, -1]);
      const near = index.nearest([[0, 0]], 6, 5, { inclusive: true, threads });
      expect(Array.from(near.indices)).toEqual([1, 3, 0, 2, -1, -1]);
      expect(Array.from(near.distances)).toEqual([0, 0, 5, 5, Number.NaN, Number.NaN]);
      expect(findClosePolygons(polys, [0, 0], 5, { threads })).toEqual([polys[1], polys[3]]);
    }
  });

  test("an index with no polygons answers -1 / nothing", () => {
    for (const threads of [0, 1]) {
      const empty = new PolygonIndex({ x: new Float64Array(0), y: new Float64Array(0), offsets: [0] }, { threads });
      expect(empty.length).toBe(0);
      expect(Array.from(empty.bestMatch(Float64Array.of(1, 2), 10, { threads }))).toEqual([-1]);
      expect(empty.withinDistance(Float64Array.of(1, 2), 10, { threads })).toEqual({ offsets: Uint32Array.of(0, 0), indices: new Uint32Array(0) });
      expect(matchPointsToPolygons([], [[1, 2]], 10, { threads })).toEqual([]);
    }
  });

  test("many points (several parallel chunks) are identical for every thread count", () => {
    const big = latticePolygons(3, 3000, 150);
    const pts = latticePoints(4, 2000, 150);
    const index = new PolygonIndex(big, { threads: 1 });
    const one = [index.bestMatch(pts, 4, { threads: 1 }), index.withinDistance(pts, 4, { threads: 1 }), index.nearest(pts, 3, 8, { threads: 1 })];
    for (const threads of [2, 3, 4]) {
      const [best, within, near] = [index.bestMatch(pts, 4, { threads }), index.withinDistance(pts, 4, { threads }), index.nearest(pts, 3, 8, { threads })];
      expectSameArray(best, one[0] as Int32Array);
      expectSameArray(within.offsets, (one[1] as { offsets: Uint32Array }).offsets);
      expectSameArray(within.indices, (one[1] as { indices: Uint32Array }).indices);
      expectSameArray(near.indices, (one[2] as { indices: Int32Array }).indices);
      expectSameArray(near.distances, (one[2] as { distances: Float64Array }).distances);
    }
    const sample = pts.subarray(0, 200);
    expectSameArray(index.bestMatch(sample, 4, { threads: 0 }), (one[0] as Int32Array).slice(0, 100));
  });
});
