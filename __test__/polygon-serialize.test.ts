/**
 * `PolygonIndex#serialize` / `PolygonIndex.deserialize`: round trips give
 * the same answers on both backends, and hostile buffers (truncated,
 * flipped bytes, wrong header fields) are TypeErrors or RangeErrors, never
 * crashes or silently different indices.
 */
import { Polygon, PolygonIndex } from "../ts";
import { expectSameArray, latticePoints, latticePolygons } from "./helpers/polygon-data";
import { mulberry32 } from "./helpers/random";

const THREADS = [0, 1, 2] as const;

/** Two squares with a hole in the first, one triangle: rings exercise the rings section. */
const withHoles = () => ({
  x: Float64Array.of(0, 10, 10, 0, 4, 6, 6, 4, 20, 30, 30, 20, 5, 6, 5),
  y: Float64Array.of(0, 0, 10, 10, 4, 4, 6, 6, 0, 0, 10, 10, 20, 20, 21),
  offsets: Uint32Array.of(0, 4, 8, 12, 15),
  rings: Uint32Array.of(0, 2, 3, 4),
});

function sameAnswers(a: PolygonIndex, b: PolygonIndex, points: Float64Array, threads: number): void {
  expect(b.length).toBe(a.length);
  expectSameArray(b.centers, a.centers);
  expectSameArray(b.areas, a.areas);
  expectSameArray(b.bestMatch(points, 3, { threads }), a.bestMatch(points, 3, { threads }));
  const wa = a.withinDistance(points, 2.5, { threads, inclusive: true });
  const wb = b.withinDistance(points, 2.5, { threads, inclusive: true });
  expectSameArray(wb.offsets, wa.offsets);
  expectSameArray(wb.indices, wa.indices);
  const na = a.nearest(points, 4, { threads });
  const nb = b.nearest(points, 4, { threads });
  expectSameArray(nb.indices, na.indices);
  expectSameArray(nb.distances, na.distances);
}

describe("round trip", () => {
  const data = latticePolygons(11, 3000, 60);
  const points = latticePoints(12, 2000, 60);

  test.each(THREADS)("flat buffers, threads %i", (threads) => {
    const index = new PolygonIndex(data, { threads });
    const bytes = index.serialize();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length % 8).toBe(0);
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x46, 0x4b, 0x50, 0x47, 1]);
    for (const t of THREADS) sameAnswers(index, PolygonIndex.deserialize(bytes, { threads: t }), points, t);
  });

  test("Polygon objects: their vertices are stored, the answers are the same", () => {
    const polygons = Array.from({ length: data.offsets.length - 1 }, (_, i) =>
      new Polygon(data.x.slice(data.offsets[i], data.offsets[i + 1]), data.y.slice(data.offsets[i], data.offsets[i + 1])));
    for (const threads of THREADS) {
      const index = new PolygonIndex(polygons, { threads });
      const loaded = PolygonIndex.deserialize(index.serialize(), { threads });
      sameAnswers(index, loaded, points, threads);
      expect(loaded.serialize()).toEqual(new PolygonIndex(data).serialize());
    }
  });

  test("rings (holes) survive; centers and areas come from the outer rings", () => {
    for (const threads of THREADS) {
      const index = new PolygonIndex(withHoles(), { threads });
      expect(index.length).toBe(3);
      expect(Array.from(index.areas)).toEqual([100, 100, 0.5]);
      const loaded = PolygonIndex.deserialize(index.serialize(), { threads });
      sameAnswers(index, loaded, Float64Array.of(5, 5, 25, 5, 5.2, 20.2), threads);
      expect(loaded.serialize()).toEqual(index.serialize());
    }
  });

  test("an empty index round-trips", () => {
    const empty = new PolygonIndex({ x: new Float64Array(0), y: new Float64Array(0), offsets: [0] });
    const loaded = PolygonIndex.deserialize(empty.serialize());
    expect(loaded.length).toBe(0);
    expect(Array.from(loaded.bestMatch(Float64Array.of(1, 1), 5))).toEqual([-1]);
  });

  test("a view at an odd byte offset is read (sections are copied)", () => {
    const bytes = new PolygonIndex(withHoles()).serialize();
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const loaded = PolygonIndex.deserialize(shifted.subarray(3));
    expect(Array.from(loaded.areas)).toEqual([100, 100, 0.5]);
  });
});

describe("hostile buffers", () => {
  const bytes = new PolygonIndex(withHoles()).serialize();
  const edit = (at: number, value: number) => {
    const copy = bytes.slice();
    copy[at] = value;
    return copy;
  };
  const u32 = (at: number, value: number) => {
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(at, value, true);
    return copy;
  };
  const f64 = (at: number, value: number) => {
    const copy = bytes.slice();
    new DataView(copy.buffer).setFloat64(at, value, true);
    return copy;
  };
  // Layout of `withHoles()`: 15 vertices, 4 rings, 3 polygons.
  const xAt = 32;
  const offsetsAt = 32 + 2 * 120;
  const ringsAt = offsetsAt + 24;

  test.each<[string, unknown, string | RegExp, ErrorConstructor]>([
    ["not a Uint8Array", [1, 2, 3], "bytes must be a Uint8Array (from PolygonIndex#serialize), got", TypeError],
    ["a Buffer-less ArrayBuffer", new ArrayBuffer(64), "bytes must be a Uint8Array", TypeError],
    ["empty", new Uint8Array(0), "bytes is too short for a serialized PolygonIndex: 0 bytes, the header alone is 32", RangeError],
    ["bad magic", edit(0, 0x47), 'magic must be 46 4b 50 47 ("FKPG"), got 47 4b 50 47', RangeError],
    ["a future version", edit(4, 2), "bytes has format version 2; this version of fastkernels reads version 1", RangeError],
    ["unknown flags", edit(5, 0x83), "bytes has unknown flags 0x83", RangeError],
    ["a reserved byte set", edit(27, 1), "bytes has a non-zero reserved header byte at 27", RangeError],
    ["a vertex count too large", u32(12, 2 ** 31), /bytes has length 312, expected \d+ for 3 polygons, 2147483648 vertices and 4 rings/, RangeError],
    ["rings flag cleared", edit(5, 0), "bytes has 4 rings for 3 polygons without a rings section", RangeError],
    ["a feature count without features", u32(20, 3), "bytes counts 3 features without a feature index section", RangeError],
    ["one byte missing", bytes.subarray(0, bytes.length - 1), "truncated or padded?", RangeError],
    ["8 bytes too many", Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]), "truncated or padded?", RangeError],
    ["a non-zero padding byte", edit(offsetsAt + 20, 1), "bytes has a non-zero padding byte at 292 (after the offsets section)", RangeError],
    ["NaN vertex", f64(xAt + 16, Number.NaN), "bytes: x[2] must be a finite number, got NaN", RangeError],
    ["Infinity vertex", f64(xAt + 120 + 8, Number.POSITIVE_INFINITY), "bytes: y[1] must be a finite number, got Infinity", RangeError],
    ["offsets not from 0", u32(offsetsAt, 1), "bytes.offsets[0] must be 0, got 1", RangeError],
    ["offsets past the vertices", u32(offsetsAt + 16, 99), "bytes.offsets[4] runs past the vertex buffers (length 15), got 99", RangeError],
    ["offsets decreasing", u32(offsetsAt + 8, 2), "bytes.offsets must be non-decreasing, got offsets[2] = 2 < offsets[1] = 4", RangeError],
    ["an empty ring", u32(offsetsAt + 8, 4), "bytes: ring 1 is empty (offsets[1] = offsets[2] = 4)", RangeError],
    ["rings past the ring count", u32(ringsAt + 8, 9), "bytes.rings[2] runs past the rings (offsets.length - 1 = 4), got 9", RangeError],
    ["rings not ending at the ring count", u32(ringsAt + 12, 3), "bytes: polygon 2 is empty (rings[2] = rings[3] = 3)", RangeError],
  ])("%s", (_name, input, message, errorClass) => {
    for (const threads of [0, 1]) {
      let thrown: unknown;
      try {
        PolygonIndex.deserialize(input as Uint8Array, { threads });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(errorClass);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  test("a feature index out of range is refused", () => {
    // Hand-made: the same polygons with a feature index section (flag 2) of 3 entries, 2 features.
    const withFeatures = new Uint8Array(bytes.length + 16);
    withFeatures.set(bytes);
    withFeatures[5] = 3;
    const view = new DataView(withFeatures.buffer);
    view.setUint32(20, 2, true);
    const at = bytes.length;
    view.setInt32(at, 0, true);
    view.setInt32(at + 4, 1, true);
    view.setInt32(at + 8, 1, true);
    expect(PolygonIndex.deserialize(withFeatures).length).toBe(3);
    view.setInt32(at + 8, 2, true);
    expect(() => PolygonIndex.deserialize(withFeatures)).toThrow("bytes: featureIndex[2] must be from 0 to the feature count 2 - 1, got 2");
    view.setInt32(at + 8, -1, true);
    expect(() => PolygonIndex.deserialize(withFeatures)).toThrow("got -1");
  });

  test("fuzz: every truncation and 2000 random corruptions load or throw a TypeError/RangeError, on both backends", () => {
    const rand = mulberry32(77);
    const inputs: Uint8Array[] = [];
    for (let len = 0; len < bytes.length; len++) inputs.push(bytes.subarray(0, len));
    for (let i = 0; i < 2000; i++) {
      const copy = bytes.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
      inputs.push(copy);
    }
    let loaded = 0;
    for (const input of inputs) {
      for (const threads of [0, 1]) {
        try {
          const index = PolygonIndex.deserialize(input, { threads });
          // A corruption that still parses is a valid index: it answers, and writes itself back bit for bit.
          index.bestMatch(Float64Array.of(5, 5, 25, 5), 50, { threads });
          expect(index.serialize()).toEqual(input);
          loaded++;
        } catch (error) {
          if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
        }
      }
    }
    expect(loaded).toBeGreaterThan(0);
  });
});
