/**
 * GeoJSON in: a FeatureCollection of Polygon and MultiPolygon features
 * packed into the flat ring buffers of a `PolygonIndex`.
 *
 * - One index entry per polygon: a Polygon feature gives one, a
 *   MultiPolygon one per part; `featureIndex[entry]` is the feature's
 *   position in `features`.
 * - Rings must be closed (first and last positions equal, RFC 7946 §3.1.6)
 *   with at least 4 positions; the closing position is dropped, so the
 *   vertex-mean center and the shoelace area count each corner once. The
 *   first ring of a polygon is its outer ring (center and area); the others
 *   are holes (containment only).
 * - Positions are `[x, y]` or `[x, y, z]` (z ignored), finite numbers; for
 *   `metric: "haversine"` x is the longitude and y the latitude in degrees.
 *
 * Every problem is a TypeError/RangeError naming the path, e.g.
 * `featureCollection.features[3].geometry.coordinates[1][0][2]`.
 */
import { show } from "../validate";
import type { FlatPolygons } from "./validate";

/** A GeoJSON position: `[x, y]` or `[x, y, z]`. */
export type GeoJSONPosition = number[];

export interface GeoJSONPolygon {
  type: "Polygon";
  coordinates: GeoJSONPosition[][];
}

export interface GeoJSONMultiPolygon {
  type: "MultiPolygon";
  coordinates: GeoJSONPosition[][][];
}

export interface GeoJSONFeature {
  type: "Feature";
  geometry: GeoJSONPolygon | GeoJSONMultiPolygon;
  id?: string | number;
  properties?: Record<string, unknown> | null;
}

export interface GeoJSONFeatureCollection {
  type: "FeatureCollection";
  features: GeoJSONFeature[];
}

/** Packed polygons of a FeatureCollection, with the feature of each entry. */
export interface PackedGeoJSON extends Required<Pick<FlatPolygons, "x" | "y">> {
  offsets: Uint32Array;
  rings: Uint32Array;
  featureIndex: Int32Array;
  features: ReadonlyArray<GeoJSONFeature>;
}

const ROOT = "featureCollection";

/** A plain object by its GeoJSON `type` (what a reader of the message looks for). */
function describe(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    return `an object with type ${show((value as { type?: unknown }).type)}`;
  }
  return show(value);
}

/** Growable packing buffers. */
class Packer {
  x: number[] = [];
  y: number[] = [];
  offsets: number[] = [0];
  rings: number[] = [0];
  featureIndex: number[] = [];

  ring(name: string, ring: unknown): void {
    if (!Array.isArray(ring)) throw new TypeError(`${name} must be an array of positions (a linear ring), got ${show(ring)}`);
    if (ring.length < 4) {
      throw new RangeError(`${name} must have at least 4 positions (a closed ring of 3 corners), got ${ring.length}`);
    }
    for (let k = 0; k < ring.length; k++) {
      const p = ring[k] as unknown;
      if (!Array.isArray(p)) throw new TypeError(`${name}[${k}] must be a position [x, y], got ${show(p)}`);
      if (p.length !== 2 && p.length !== 3) throw new RangeError(`${name}[${k}] must be a position [x, y] or [x, y, z], got length ${p.length}`);
      for (let c = 0; c < 2; c++) {
        const v = p[c] as unknown;
        if (typeof v !== "number") throw new TypeError(`${name}[${k}][${c}] must be a number, got ${show(v)}`);
        if (!Number.isFinite(v)) throw new RangeError(`${name}[${k}][${c}] must be a finite number, got ${show(v)}`);
      }
      // The closing position is checked, not stored.
      if (k < ring.length - 1) {
        this.x.push(p[0] as number);
        this.y.push(p[1] as number);
      }
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      throw new RangeError(`${name} must be closed (last position equal to the first), got first [${first[0]}, ${first[1]}] and last [${last[0]}, ${last[1]}]`);
    }
    this.offsets.push(this.x.length);
  }

  polygon(name: string, rings: unknown, feature: number): void {
    if (!Array.isArray(rings)) throw new TypeError(`${name} must be an array of linear rings, got ${show(rings)}`);
    if (rings.length === 0) throw new RangeError(`${name} must have at least one ring (the outer ring), got none`);
    for (let r = 0; r < rings.length; r++) this.ring(`${name}[${r}]`, rings[r]);
    this.rings.push(this.offsets.length - 1);
    this.featureIndex.push(feature);
  }
}

/** Packs a FeatureCollection (see the module comment for the rules). */
export function packGeoJSON(collection: unknown): PackedGeoJSON {
  if (typeof collection !== "object" || collection === null || (collection as { type?: unknown }).type !== "FeatureCollection") {
    throw new TypeError(`${ROOT} must be a GeoJSON FeatureCollection ({ type: "FeatureCollection", features: [...] }), got ${describe(collection)}`);
  }
  const features = (collection as { features?: unknown }).features;
  if (!Array.isArray(features)) throw new TypeError(`${ROOT}.features must be an array of Features, got ${describe(features)}`);
  const packer = new Packer();
  for (let f = 0; f < features.length; f++) {
    const name = `${ROOT}.features[${f}]`;
    const feature = features[f] as { type?: unknown; geometry?: unknown } | null;
    if (typeof feature !== "object" || feature === null || feature.type !== "Feature") {
      throw new TypeError(`${name} must be a GeoJSON Feature ({ type: "Feature", geometry, properties }), got ${describe(feature)}`);
    }
    const geometry = feature.geometry as { type?: unknown; coordinates?: unknown } | null;
    const type = typeof geometry === "object" && geometry !== null ? geometry.type : undefined;
    if (type !== "Polygon" && type !== "MultiPolygon") {
      const got = typeof geometry === "object" && geometry !== null ? `type ${show(type)}` : show(geometry);
      throw new TypeError(`${name}.geometry must be a Polygon or MultiPolygon, got ${got}`);
    }
    const coordinates = (geometry as { coordinates: unknown }).coordinates;
    const where = `${name}.geometry.coordinates`;
    if (type === "Polygon") {
      packer.polygon(where, coordinates, f);
      continue;
    }
    if (!Array.isArray(coordinates)) throw new TypeError(`${where} must be an array of polygons, got ${show(coordinates)}`);
    if (coordinates.length === 0) throw new RangeError(`${where} must have at least one polygon, got none`);
    for (let part = 0; part < coordinates.length; part++) packer.polygon(`${where}[${part}]`, coordinates[part], f);
  }
  return {
    x: Float64Array.from(packer.x),
    y: Float64Array.from(packer.y),
    offsets: Uint32Array.from(packer.offsets),
    rings: Uint32Array.from(packer.rings),
    featureIndex: Int32Array.from(packer.featureIndex),
    features: features as GeoJSONFeature[],
  };
}
