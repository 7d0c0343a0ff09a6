/**
 * The original's `Polygon`: vertex coordinates with a center (plain mean of
 * the vertices) and an area (shoelace), each computed once, on first use.
 */
import { areaOf, centerOf } from "./geometry";
import type { PackedGeometry } from "./reference";
import { assertVertices, numbersToFloat64 } from "./validate";

/**
 * Whether `value` was made by the `Polygon` class: a brand check (private
 * field), which a prototype trick cannot fool. Internal.
 */
export let isPolygon: (value: unknown) => value is Polygon; // set in Polygon's static block

export class Polygon {
  /** Vertex x coordinates. Treat as read-only: center and area are cached. */
  declare readonly x: Float64Array;
  /** Vertex y coordinates, same length as `x`. */
  declare readonly y: Float64Array;
  #center: Float64Array | undefined;
  #area: number | undefined;

  /**
   * @param x vertex x coordinates (a Float64Array is kept as is, a number array is copied)
   * @param y vertex y coordinates, same length
   * @throws TypeError if x or y is not a Float64Array or number array;
   *   RangeError if their lengths differ, they are empty, or hold NaN/Infinity
   */
  constructor(x: Float64Array | ReadonlyArray<number>, y: Float64Array | ReadonlyArray<number>) {
    const xs = Array.isArray(x) ? numbersToFloat64("polygon.x", x) : x;
    const ys = Array.isArray(y) ? numbersToFloat64("polygon.y", y) : y;
    assertVertices("polygon", xs, ys);
    // Checked once, here: `x` and `y` cannot be reassigned afterwards, so the
    // original API and `PolygonIndex` trust a Polygon's vertices without
    // checking them again on every call.
    Object.defineProperty(this, "x", { value: xs, enumerable: true, writable: false, configurable: false });
    Object.defineProperty(this, "y", { value: ys, enumerable: true, writable: false, configurable: false });
  }

  static {
    isPolygon = (value: unknown): value is Polygon => typeof value === "object" && value !== null && #area in value;
  }

  /** The plain mean of the vertices, `[cx, cy]` (not the area-weighted centroid). */
  get center(): Float64Array {
    if (this.#center === undefined) {
      this.#center = Float64Array.from(centerOf(this.x, this.y, 0, this.x.length));
    }
    return this.#center;
  }

  /** Shoelace area `0.5 * |x·roll(y, 1) - y·roll(x, 1)|` (summation order: see README). */
  area(): number {
    if (this.#area === undefined) this.#area = areaOf(this.x, this.y, 0, this.x.length);
    return this.#area;
  }
}

/**
 * The cached `center` and `area()` of Polygon objects, packed: all an index
 * needs (the vertices are not copied). Internal.
 */
export function geometryOfPolygons(polygons: ReadonlyArray<Polygon>): PackedGeometry {
  const n = polygons.length;
  const centers = new Float64Array(2 * n);
  const areas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const polygon = polygons[i];
    const center = polygon.center;
    centers[2 * i] = center[0];
    centers[2 * i + 1] = center[1];
    areas[i] = polygon.area();
  }
  return { centers, areas };
}
