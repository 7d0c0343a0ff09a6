/**
 * The original's `Polygon`: vertex coordinates with a center (plain mean of
 * the vertices) and an area (shoelace), each computed once, on first use.
 */
import { areaOf, centerOf } from "./geometry";
import { assertVertices } from "./validate";

export class Polygon {
  /** Vertex x coordinates. Treat as read-only: center and area are cached. */
  readonly x: Float64Array;
  /** Vertex y coordinates, same length as `x`. */
  readonly y: Float64Array;
  #center: Float64Array | undefined;
  #area: number | undefined;

  /**
   * @param x vertex x coordinates (a Float64Array is kept as is, a number array is copied)
   * @param y vertex y coordinates, same length
   * @throws TypeError if x or y is not a Float64Array or number array;
   *   RangeError if their lengths differ, they are empty, or hold NaN/Infinity
   */
  constructor(x: Float64Array | ReadonlyArray<number>, y: Float64Array | ReadonlyArray<number>) {
    const xs = Array.isArray(x) ? Float64Array.from(x as number[]) : x;
    const ys = Array.isArray(y) ? Float64Array.from(y as number[]) : y;
    assertVertices("polygon", xs, ys);
    this.x = xs as Float64Array;
    this.y = ys as Float64Array;
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
