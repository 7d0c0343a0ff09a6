/**
 * Containment (`containing`, `bestMatch(points, { mode: "containment" })`),
 * GeoJSON input and the haversine metric: known answers recorded by shapely
 * and Python (`fixtures/polygon_shapely.py`), the native grid against the
 * reference's scan of every polygon on seeded data (bitwise, every thread
 * count), the half-open edge rule, and GeoJSON errors naming the feature.
 */
import fs from "node:fs";
import path from "node:path";

import { PolygonIndex } from "../ts";
import type { GeoJSONFeatureCollection } from "../ts";
import { expectSameArray, latticePoints, latticePolygons } from "./helpers/polygon-data";
import { mulberry32 } from "./helpers/random";

const THREADS = [0, 1, 2] as const;

interface Fixture {
  featureCollection: GeoJSONFeatureCollection;
  points: number[];
  containing: number[][];
  best: number[];
  haversine: { radius: number; pairs: number[][]; distances: number[] };
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "polygon-shapely.json"), "utf8")) as Fixture;

const csr = (lists: number[][]) => {
  const offsets = [0];
  const polygons: number[] = [];
  for (const l of lists) {
    polygons.push(...l);
    offsets.push(polygons.length);
  }
  return { offsets: Int32Array.from(offsets), polygons: Int32Array.from(polygons) };
};

describe("containment: shapely known answers", () => {
  const points = Float64Array.from(fixture.points);
  const expected = csr(fixture.containing);

  test.each(THREADS)("containing and the smallest containing polygon, threads %i", (threads) => {
    const index = PolygonIndex.fromGeoJSON(fixture.featureCollection, { threads });
    const got = index.containing(points, { threads });
    expectSameArray(got.offsets, expected.offsets);
    expectSameArray(got.polygons, expected.polygons);
    expectSameArray(index.bestMatch(points, { mode: "containment", threads }), Int32Array.from(fixture.best));
  });

  test("entries carry their feature: a MultiPolygon gives one entry per part", () => {
    const index = PolygonIndex.fromGeoJSON(fixture.featureCollection);
    const features = fixture.featureCollection.features;
    const parts = features.map((f) => (f.geometry.type === "MultiPolygon" ? f.geometry.coordinates.length : 1));
    expect(index.length).toBe(parts.reduce((a, b) => a + b, 0));
    const expectedIndex = parts.flatMap((count, f) => Array<number>(count).fill(f));
    expect(Array.from(index.featureIndex ?? [])).toEqual(expectedIndex);
    const best = index.bestMatch(points, { mode: "containment" });
    const found = index.featuresOf(best);
    for (let p = 0; p < best.length; p++) {
      expect(found[p]).toBe(best[p] === -1 ? null : features[expectedIndex[best[p]]]);
    }
    expect(found.find((f) => f !== null)?.id).toMatch(/^f\d+$/);
    // A round trip keeps the feature index (not the feature objects).
    const loaded = PolygonIndex.deserialize(index.serialize());
    expect(Array.from(loaded.featureIndex ?? [])).toEqual(expectedIndex);
    expect(() => loaded.featuresOf([0])).toThrow(TypeError);
    expect(() => index.featuresOf([index.length])).toThrow(`entries[0] must be -1 or an entry from 0 to ${index.length - 1}, got ${index.length}`);
  });

  test("async twins give the sync answers", async () => {
    const index = PolygonIndex.fromGeoJSON(fixture.featureCollection);
    for (const threads of THREADS) {
      const got = await index.containingAsync(points, { threads });
      expectSameArray(got.offsets, expected.offsets);
      expectSameArray(got.polygons, expected.polygons);
      expectSameArray(await index.bestMatchAsync(points, { mode: "containment", threads }), Int32Array.from(fixture.best));
    }
  });
});

/** Seeded overlapping star polygons, some with a hole, some huge (the grid's big list). */
function stars(seed: number, count: number) {
  const rand = mulberry32(seed);
  const x: number[] = [];
  const y: number[] = [];
  const offsets = [0];
  const rings = [0];
  for (let i = 0; i < count; i++) {
    const cx = rand() * 100;
    const cy = rand() * 100;
    const r = i % 61 === 0 ? 45 : 0.5 + rand() * 4;
    const corners = 3 + Math.floor(rand() * 12);
    for (let k = 0; k < corners; k++) {
      const a = (2 * Math.PI * (k + rand() * 0.8)) / corners;
      const rr = r * (0.5 + rand() * 0.5);
      x.push(cx + rr * Math.cos(a));
      y.push(cy + rr * Math.sin(a));
    }
    offsets.push(x.length);
    if (i % 4 === 0) {
      const h = r * 0.2;
      for (const [dx, dy] of [[-h, -h], [h, -h], [h, h], [-h, h]]) {
        x.push(cx + dx);
        y.push(cy + dy);
      }
      offsets.push(x.length);
    }
    rings.push(offsets.length - 1);
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y), offsets: Uint32Array.from(offsets), rings: Uint32Array.from(rings) };
}

describe("containment: native grid == reference scan (seeded, bitwise)", () => {
  test("star polygons with holes, overlaps and huge ones", () => {
    const data = stars(5, 2000);
    const rand = mulberry32(6);
    const points = Float64Array.from({ length: 2 * 5000 }, () => rand() * 110 - 5);
    const reference = new PolygonIndex(data, { threads: 0 });
    const expected = reference.containing(points, { threads: 0 });
    expect(expected.polygons.length).toBeGreaterThan(3000);
    const expectedBest = reference.bestMatch(points, { mode: "containment", threads: 0 });
    const scores = Float64Array.from({ length: reference.length }, (_, i) => (i * 7919) % 101);
    const expectedScored = reference.bestMatch(points, { mode: "containment", best: scores, threads: 0 });
    for (const threads of [1, 2, 3]) {
      const index = new PolygonIndex(data, { threads });
      const got = index.containing(points, { threads });
      expectSameArray(got.offsets, expected.offsets);
      expectSameArray(got.polygons, expected.polygons);
      expectSameArray(index.bestMatch(points, { mode: "containment", threads }), expectedBest);
      expectSameArray(index.bestMatch(points, { mode: "containment", best: scores, threads }), expectedScored);
    }
    // The best is the smallest-area containing polygon, ties to the lowest index.
    const areas = reference.areas;
    for (let p = 0; p < expectedBest.length; p++) {
      const list = Array.from(expected.polygons.subarray(expected.offsets[p], expected.offsets[p + 1]));
      const min = list.reduce((b, i) => (b === -1 || areas[i] < areas[b] ? i : b), -1);
      expect(expectedBest[p]).toBe(min);
    }
  });

  test("lattice polygons and lattice points: many points exactly on edges and vertices", () => {
    const data = latticePolygons(21, 3000, 40);
    const points = latticePoints(22, 20000, 40);
    const expected = new PolygonIndex(data, { threads: 0 }).containing(points, { threads: 0 });
    expect(expected.polygons.length).toBeGreaterThan(1000);
    for (const threads of [1, 2]) {
      const got = new PolygonIndex(data).containing(points, { threads });
      expectSameArray(got.offsets, expected.offsets);
      expectSameArray(got.polygons, expected.polygons);
    }
  });

  test("Polygon objects and Float32Array points work too", () => {
    const data = latticePolygons(3, 200, 20);
    const points = Float32Array.from(latticePoints(4, 500, 20));
    const expected = new PolygonIndex(data, { threads: 0 }).containing(points, { threads: 0 });
    expectSameArray(new PolygonIndex(data).containing(points, { threads: 1 }).polygons, expected.polygons);
  });
});

describe("containment: the edge rule", () => {
  const square = { x: Float64Array.of(0, 1, 1, 0), y: Float64Array.of(0, 0, 1, 1), offsets: [0, 4] };
  test.each(THREADS)("left and bottom edges in, right and top edges out, threads %i", (threads) => {
    const index = new PolygonIndex(square, { threads });
    const points = Float64Array.of(0.5, 0.5, 0, 0.5, 0.5, 0, 1, 0.5, 0.5, 1, 0, 0, 1, 1, 1, 0, 0, 1, 2, 2);
    expect(Array.from(index.bestMatch(points, { mode: "containment", threads }))).toEqual([0, 0, 0, -1, -1, 0, -1, -1, -1, -1]);
  });

  test.each(THREADS)("a point on an edge shared by two tiles is in exactly one, threads %i", (threads) => {
    // A 6 x 6 tiling of skewed quadrilaterals, every other one clockwise.
    const corner = (i: number, j: number) => [i + 0.3 * Math.sin(j * 0.7), j + 0.2 * Math.cos(i * 1.3)];
    const x: number[] = [];
    const y: number[] = [];
    const offsets = [0];
    for (let j = 0; j < 6; j++) {
      for (let i = 0; i < 6; i++) {
        const quad = [corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1)];
        if ((i + j) % 2) quad.reverse();
        for (const [a, b] of quad) {
          x.push(a);
          y.push(b);
        }
        offsets.push(x.length);
      }
    }
    const points: number[] = [];
    for (let j = 1; j < 6; j++) {
      for (let i = 1; i < 6; i++) points.push(...corner(i, j), (corner(i, j)[0] + corner(i + 1, j)[0]) / 2, (corner(i, j)[1] + corner(i + 1, j)[1]) / 2);
    }
    const got = new PolygonIndex({ x: Float64Array.from(x), y: Float64Array.from(y), offsets }, { threads }).containing(Float64Array.from(points), { threads });
    for (let p = 0; p < points.length / 2; p++) expect(got.offsets[p + 1] - got.offsets[p]).toBe(1);
  });

  test("a point in a hole is outside; an island in the hole is its own polygon", () => {
    const fc: GeoJSONFeatureCollection = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[3, 3], [3, 7], [7, 7], [7, 3], [3, 3]]] } },
        { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] } },
      ],
    };
    for (const threads of THREADS) {
      const index = PolygonIndex.fromGeoJSON(fc, { threads });
      const got = index.containing([[1, 1], [3.5, 3.5], [5, 5]], { threads });
      expect(Array.from(got.offsets)).toEqual([0, 1, 1, 2]);
      expect(Array.from(got.polygons)).toEqual([0, 1]);
      // The closing position is dropped: the center is the mean of the 4 corners, the area the outer ring's.
      expect(Array.from(index.centers)).toEqual([5, 5, 5, 5]);
      expect(Array.from(index.areas)).toEqual([100, 4]);
    }
  });
});

describe("GeoJSON errors name the feature, part and ring", () => {
  const ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
  const fc = (geometry: unknown, extra: unknown[] = []) => ({
    type: "FeatureCollection",
    features: [{ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } }, { type: "Feature", properties: {}, geometry }, ...extra],
  });
  const F = "featureCollection.features[1]";
  test.each<[string, unknown, string, ErrorConstructor]>([
    ["not a collection", { type: "Feature" }, 'featureCollection must be a GeoJSON FeatureCollection ({ type: "FeatureCollection", features: [...] }), got an object with type "Feature"', TypeError],
    ["features not an array", { type: "FeatureCollection", features: {} }, "featureCollection.features must be an array of Features, got an object with type undefined", TypeError],
    ["a feature that is not a Feature", { type: "FeatureCollection", features: [null] }, "featureCollection.features[0] must be a GeoJSON Feature", TypeError],
    ["a Geometry in place of a Feature", { type: "FeatureCollection", features: [{ type: "Polygon", coordinates: [] }] }, 'featureCollection.features[0] must be a GeoJSON Feature ({ type: "Feature", geometry, properties }), got an object with type "Polygon"', TypeError],
    ["a Point geometry", fc({ type: "Point", coordinates: [0, 0] }), `${F}.geometry must be a Polygon or MultiPolygon, got type "Point"`, TypeError],
    ["a null geometry", fc(null), `${F}.geometry must be a Polygon or MultiPolygon, got null`, TypeError],
    ["no rings", fc({ type: "Polygon", coordinates: [] }), `${F}.geometry.coordinates must have at least one ring (the outer ring), got none`, RangeError],
    ["too few positions", fc({ type: "Polygon", coordinates: [[[0, 0], [1, 0], [0, 0]]] }), `${F}.geometry.coordinates[0] must have at least 4 positions (a closed ring of 3 corners), got 3`, RangeError],
    ["an unclosed ring", fc({ type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }), `${F}.geometry.coordinates[0] must be closed (last position equal to the first), got first [0, 0] and last [0, 1]`, RangeError],
    ["an unclosed hole", fc({ type: "Polygon", coordinates: [ring, [[0, 0], [1, 0], [1, 1], [0, 2]]] }), `${F}.geometry.coordinates[1] must be closed`, RangeError],
    ["NaN", fc({ type: "Polygon", coordinates: [[[0, 0], [1, NaN], [1, 1], [0, 0]]] }), `${F}.geometry.coordinates[0][1][1] must be a finite number, got NaN`, RangeError],
    ["Infinity in a MultiPolygon part", fc({ type: "MultiPolygon", coordinates: [[ring], [[[0, 0], [Infinity, 0], [1, 1], [0, 0]]]] }), `${F}.geometry.coordinates[1][0][1][0] must be a finite number, got Infinity`, RangeError],
    ["a string coordinate", fc({ type: "Polygon", coordinates: [[[0, 0], ["1", 0], [1, 1], [0, 0]]] }), `${F}.geometry.coordinates[0][1][0] must be a number, got "1"`, TypeError],
    ["a position of length 1", fc({ type: "Polygon", coordinates: [[[0, 0], [1], [1, 1], [0, 0]]] }), `${F}.geometry.coordinates[0][1] must be a position [x, y] or [x, y, z], got length 1`, RangeError],
    ["an empty MultiPolygon", fc({ type: "MultiPolygon", coordinates: [] }), `${F}.geometry.coordinates must have at least one polygon, got none`, RangeError],
    ["rings not an array", fc({ type: "Polygon", coordinates: "x" }), `${F}.geometry.coordinates must be an array of linear rings, got "x"`, TypeError],
  ])("%s", (_name, input, message, errorClass) => {
    for (const threads of [0, 1]) {
      expect(() => PolygonIndex.fromGeoJSON(input as GeoJSONFeatureCollection, { threads })).toThrow(errorClass);
      expect(() => PolygonIndex.fromGeoJSON(input as GeoJSONFeatureCollection, { threads })).toThrow(message);
    }
  });

  test("z coordinates are ignored", () => {
    const index = PolygonIndex.fromGeoJSON(fc({ type: "Polygon", coordinates: [[[0, 0, 5], [2, 0, 5], [2, 2, 5], [0, 0, 5]]] }) as GeoJSONFeatureCollection);
    expect(Array.from(index.areas)).toEqual([0.5, 2]);
  });
});

describe("metric: haversine", () => {
  const { pairs, distances, radius } = fixture.haversine;

  test("the radius and textbook distances", () => {
    expect(radius).toBe(6371008.8);
    // One degree of latitude, a quarter and a half of the equator.
    expect(distances[0]).toBeCloseTo((radius * Math.PI) / 180, 6);
    expect(distances[1]).toBeCloseTo((radius * Math.PI) / 2, 5);
    expect(distances[2]).toBeCloseTo(radius * Math.PI, 5);
    // London - Paris about 343.6 km, JFK - LAX about 3974 km.
    expect(Math.round(distances[3] / 100)).toBe(3436);
    expect(Math.round(distances[4] / 1000)).toBe(3974);
  });

  test.each(THREADS)("nearest reports Python's haversine distances, threads %i", (threads) => {
    for (let i = 0; i < pairs.length; i++) {
      const [lon1, lat1, lon2, lat2] = pairs[i];
      // A tiny triangle whose vertex-mean center is exactly (lon1, lat1).
      const index = new PolygonIndex({ x: Float64Array.of(lon1, lon1, lon1), y: Float64Array.of(lat1, lat1, lat1), offsets: [0, 3] }, { threads });
      const got = index.nearest(Float64Array.of(lon2, lat2), 1, { metric: "haversine", threads });
      expect(got.indices[0]).toBe(0);
      expect(Math.abs(got.distances[0] - distances[i])).toBeLessThanOrEqual(1e-9 * distances[i] + 1e-9);
    }
  });

  /** Seeded lon/lat centers (small triangles), denser near the poles and the antimeridian. */
  function lonLat(seed: number, count: number) {
    const rand = mulberry32(seed);
    const x: number[] = [];
    const y: number[] = [];
    const offsets = [0];
    for (let i = 0; i < count; i++) {
      const lon = i % 5 === 0 ? 180 - rand() * 2 * (rand() < 0.5 ? 1 : -179) : rand() * 360 - 180;
      const lat = i % 7 === 0 ? (rand() < 0.5 ? 1 : -1) * (88 + rand() * 2) : rand() * 180 - 90;
      const d = 0.01;
      const cl = Math.max(-180 + d, Math.min(180 - d, lon));
      const ct = Math.max(-90 + d, Math.min(90 - d, lat));
      x.push(cl - d, cl + d, cl);
      y.push(ct - d, ct - d, ct + 2 * d);
      offsets.push(x.length);
    }
    const points = Float64Array.from({ length: 2 * 800 }, (_, k) => (k % 2 === 0 ? (k % 10 === 0 ? 179.9 + rand() * 0.1 : rand() * 360 - 180) : (k % 14 === 1 ? 89.5 + rand() * 0.5 : rand() * 180 - 90)));
    return { data: { x: Float64Array.from(x), y: Float64Array.from(y), offsets }, points };
  }

  test("native grid == reference scan near poles and the antimeridian", () => {
    const { data, points } = lonLat(31, 1500);
    const reference = new PolygonIndex(data, { threads: 0 });
    for (const maxDist of [50_000, 600_000, 3_000_000, 12_000_000]) {
      const options = { metric: "haversine" as const, threads: 0 };
      const expected = reference.withinDistance(points, maxDist, options);
      const expectedBest = reference.bestMatch(points, maxDist, options);
      for (const threads of [1, 2]) {
        const index = new PolygonIndex(data, { threads });
        const got = index.withinDistance(points, maxDist, { metric: "haversine", threads });
        // Distances come from each platform's trigonometry: a center within
        // a few ulps of maxDist could be decided differently; none is here.
        expectSameArray(got.offsets, expected.offsets);
        expectSameArray(got.indices, expected.indices);
        expectSameArray(index.bestMatch(points, maxDist, { metric: "haversine", threads }), expectedBest);
      }
    }
    const expectedNearest = reference.nearest(points, 5, { metric: "haversine", threads: 0 });
    for (const threads of [1, 2]) {
      const got = new PolygonIndex(data).nearest(points, 5, { metric: "haversine", threads });
      expectSameArray(got.indices, expectedNearest.indices);
      for (let s = 0; s < got.distances.length; s++) {
        expect(Math.abs(got.distances[s] - expectedNearest.distances[s])).toBeLessThanOrEqual(1e-9 * expectedNearest.distances[s] + 1e-9);
      }
    }
  });

  test("antimeridian and pole neighbours are found", () => {
    const across = { x: Float64Array.of(179.9, 179.9, 179.9), y: Float64Array.of(0, 0, 0), offsets: [0, 3] };
    for (const threads of THREADS) {
      const index = new PolygonIndex(across, { threads });
      expect(Array.from(index.bestMatch(Float64Array.of(-179.9, 0), 30_000, { metric: "haversine", threads }))).toEqual([0]);
      // Planar, the same two points are 359.8 degrees apart.
      expect(Array.from(index.bestMatch(Float64Array.of(-179.9, 0), 300, { threads }))).toEqual([-1]);
      expect(Array.from(index.closeTo([-179.95, 0.01], 20_000, { metric: "haversine", threads }))).toEqual([0]);
    }
  });

  test("centers and points must be lon/lat degrees", () => {
    const planar = new PolygonIndex({ x: Float64Array.of(0, 600, 0), y: Float64Array.of(0, 0, 3), offsets: [0, 3] });
    for (const threads of [0, 1]) {
      expect(() => planar.bestMatch(Float64Array.of(0, 0), 10, { metric: "haversine", threads })).toThrow(
        'metric "haversine" needs [lon, lat] centers within [-180, 180] x [-90, 90] degrees, got polygon 0 with center [200, 1]',
      );
      const index = new PolygonIndex({ x: Float64Array.of(0, 1, 0), y: Float64Array.of(0, 0, 1), offsets: [0, 3] });
      expect(() => index.withinDistance(Float64Array.of(0, 0, 10, 95), 10, { metric: "haversine", threads })).toThrow('points[3] must be a latitude within [-90, 90] for metric "haversine", got 95');
      expect(() => index.closeTo([181, 0], 10, { metric: "haversine", threads })).toThrow('point[0] must be a longitude within [-180, 180] for metric "haversine", got 181');
    }
  });
});
