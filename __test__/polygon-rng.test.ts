import { readFileSync } from "node:fs";
import path from "node:path";

import { generateExample, generateOnePolygon } from "../ts";
import { LegacyRandomState, MT19937 } from "../ts/polygon/rng";

// Recorded from numpy itself by __test__/fixtures/numpy_rng_fixtures.py.
interface Fixture {
  numpy: string;
  seeds: Array<{
    seed: number;
    raw: number[];
    shuffles: Array<{ n: number; result: number[] }>;
    randints: Array<{ low: number; high: number; values: string[] }>;
  }>;
  onePolygon: { x: string[]; y: string[] };
  example: {
    points: number[][];
    shifts: Array<[number, number]>;
    polygonsHead: Array<{ x: string[]; y: string[] }>;
    polygonsTail: Array<{ x: string[]; y: string[] }>;
  };
}

const fixture: Fixture = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "polygon-numpy-rng.json"), "utf8"));

/** Parses Python's float.hex() exactly. */
function fromHex(text: string): number {
  const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(text);
  if (!m) throw new Error(`not a float hex: ${text}`);
  const mantissa = Number.parseInt(m[2] + m[3], 16) / 16 ** m[3].length;
  return (m[1] ? -1 : 1) * mantissa * 2 ** Number(m[4]);
}

const bits = (values: ArrayLike<number>) => Array.from(values, (v) => new BigUint64Array(Float64Array.of(v).buffer)[0]);

describe.each(fixture.seeds.map((s) => [s.seed, s] as const))("numpy legacy RandomState(%i)", (seed, expected) => {
  test("MT19937 raw 32-bit stream", () => {
    const mt = new MT19937(seed);
    expect(expected.raw.map(() => mt.nextUint32())).toEqual(expected.raw);
  });

  test("shuffle of arange(n) for several n, in sequence", () => {
    const rng = new LegacyRandomState(seed);
    for (const { n, result } of expected.shuffles) {
      const values = Float64Array.from({ length: n }, (_, i) => i);
      rng.shuffle(values);
      expect(Array.from(values)).toEqual(result);
    }
  });

  test("randint(low, high) for 32-bit and 64-bit ranges, in sequence", () => {
    const rng = new LegacyRandomState(seed);
    for (const { low, high, values } of expected.randints) {
      const got = values.map(() => String(rng.randint(low, high)));
      expect({ low, high, got }).toEqual({ low, high, got: values });
    }
  });
});

describe("the original example, bit for bit", () => {
  test("generateOnePolygon matches np.arange(0, 1, 0.1) and sqrt(1 - x**2)", () => {
    const one = generateOnePolygon();
    expect(bits(one.x)).toEqual(bits(fixture.onePolygon.x.map(fromHex)));
    expect(bits(one.y)).toEqual(bits(fixture.onePolygon.y.map(fromHex)));
  });

  test("generateExample reproduces generate_example()", () => {
    const [polygons, points] = generateExample();
    expect(points.map((p) => Array.from(p))).toEqual(fixture.example.points);
    expect(polygons).toHaveLength(1000);
    const one = generateOnePolygon();
    fixture.example.shifts.forEach(([dx, dy], i) => {
      expect(bits(polygons[i].x)).toEqual(bits(one.x.map((v) => v + dx)));
      expect(bits(polygons[i].y)).toEqual(bits(one.y.map((v) => v + dy)));
    });
    const check = (expected: Array<{ x: string[]; y: string[] }>, first: number) =>
      expected.forEach((p, j) => {
        expect(bits(polygons[first + j].x)).toEqual(bits(p.x.map(fromHex)));
        expect(bits(polygons[first + j].y)).toEqual(bits(p.y.map(fromHex)));
      });
    check(fixture.example.polygonsHead, 0);
    check(fixture.example.polygonsTail, 1000 - fixture.example.polygonsTail.length);
  });

  test("the seed is an option; other seeds give other data", () => {
    const [, points] = generateExample({ seed: 7 });
    expect(points.map((p) => Array.from(p))).not.toEqual(fixture.example.points);
    expect(() => generateExample({ seed: -1 })).toThrow("options.seed must be an integer from 0 to 4294967295, got -1");
  });
});
