/**
 * Point-to-polygon matching: the original poly_match API and a reusable
 * packed index with parallel bulk queries.
 */
export { Polygon } from "./polygon";
export { PolygonIndex } from "./polygon-index";
export type {
  BestMatchAsyncOptions, BestMatchOptions, ContainingResult, Metric, NearestAsyncOptions, NearestOptions, NearestResult, PolygonQueryAsyncOptions, PolygonQueryOptions, WithinDistanceResult,
} from "./polygon-index";
export { findClosePolygons, matchPointsToPolygons, selectBestPolygon } from "./original";
export type { PointMatch, PolygonSet } from "./original";
export { generateExample, generateOnePolygon } from "./example";
export type { GenerateExampleOptions } from "./example";
export type { GeoJSONFeature, GeoJSONFeatureCollection, GeoJSONMultiPolygon, GeoJSONPolygon, GeoJSONPosition } from "./geojson";
export type { FlatPolygons, PointLike, PointsInput, PolygonLike } from "./validate";
export { MAX_NEIGHBORS } from "./validate";
