/**
 * The byte format of `PolygonIndex#serialize` / `PolygonIndex.deserialize`:
 * one contiguous little-endian buffer in the flatbush style, a fixed header
 * then the typed-array sections, each starting at a multiple of 8 bytes.
 *
 * Header (32 bytes):
 *
 * | bytes | field |
 * | --- | --- |
 * | 0..4 | magic `FKPG` (0x46 0x4B 0x50 0x47) |
 * | 4 | format version (1) |
 * | 5 | flags: bit 0 `rings` section, bit 1 `featureIndex` section; other bits 0 |
 * | 6..8 | reserved, 0 |
 * | 8..12 | polygons n (u32) |
 * | 12..16 | vertices v (u32) |
 * | 16..20 | rings r (u32; = n without the `rings` section) |
 * | 20..24 | features f (u32; 0 without the `featureIndex` section) |
 * | 24..32 | reserved, 0 |
 *
 * Sections, in this order, each padded with zeros to a multiple of 8 bytes:
 * `x` (f64 x v), `y` (f64 x v), `offsets` (u32 x (r + 1): ring vertex
 * starts), `rings` (u32 x (n + 1): polygon ring starts, if flagged),
 * `featureIndex` (i32 x n, each in 0..f-1, if flagged).
 *
 * Only the vertices are stored: centers, areas and the grid are rebuilt
 * from them on load (O(vertices)), with the definitions every build uses,
 * so a loaded index cannot disagree with its own vertices. Loading checks
 * everything before building: magic, version, flags, reserved bytes, the
 * exact length, zero padding, finite coordinates, offsets and rings (from 0, strictly
 * increasing, within their buffers) and feature indices below f.
 */
import { show } from "../validate";
import { checkFlatPolygons, scanFinite } from "./validate";

export const MAGIC = [0x46, 0x4b, 0x50, 0x47] as const;
export const FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
const FLAG_RINGS = 1;
const FLAG_FEATURES = 2;

/** What the buffer holds. */
export interface SerializedParts {
  x: Float64Array;
  y: Float64Array;
  offsets: Uint32Array;
  rings: Uint32Array | undefined;
  featureIndex: Int32Array | undefined;
  featureCount: number;
}

const SECTION_NAMES = ["x", "y", "offsets", "rings", "featureIndex"] as const;

const padded = (bytes: number) => Math.ceil(bytes / 8) * 8;

/** Section byte lengths (unpadded) for the given counts and flags. */
function sections(n: number, v: number, r: number, flags: number): number[] {
  return [8 * v, 8 * v, 4 * (r + 1), flags & FLAG_RINGS ? 4 * (n + 1) : 0, flags & FLAG_FEATURES ? 4 * n : 0];
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function assertLittleEndian(): void {
  // Typed arrays use the host's byte order; every platform with a binary is little-endian.
  if (!littleEndian) throw new RangeError("PolygonIndex serialization needs a little-endian host");
}

export function encode(parts: SerializedParts): Uint8Array {
  assertLittleEndian();
  const n = parts.rings ? parts.rings.length - 1 : parts.offsets.length - 1;
  const v = parts.x.length;
  const r = parts.offsets.length - 1;
  const flags = (parts.rings ? FLAG_RINGS : 0) | (parts.featureIndex ? FLAG_FEATURES : 0);
  const lengths = sections(n, v, r, flags);
  const total = HEADER_BYTES + lengths.reduce((sum, l) => sum + padded(l), 0);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out[5] = flags;
  const header = new DataView(out.buffer);
  header.setUint32(8, n, true);
  header.setUint32(12, v, true);
  header.setUint32(16, r, true);
  header.setUint32(20, parts.featureIndex ? parts.featureCount : 0, true);
  const arrays = [parts.x, parts.y, parts.offsets, parts.rings, parts.featureIndex];
  let at = HEADER_BYTES;
  for (let s = 0; s < arrays.length; s++) {
    const a = arrays[s];
    if (a) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += padded(lengths[s]);
  }
  return out;
}

/** A copy of `length` bytes at `at` as a fresh, aligned buffer. */
function section(bytes: Uint8Array, at: number, length: number): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + length) as ArrayBuffer;
}

const NAME = "bytes";

/** Parses and checks a serialized index (TypeError / RangeError naming what is wrong). */
export function decode(bytes: unknown): SerializedParts {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${NAME} must be a Uint8Array (from PolygonIndex#serialize), got ${show(bytes)}`);
  assertLittleEndian();
  if (bytes.length < HEADER_BYTES) {
    throw new RangeError(`${NAME} is too short for a serialized PolygonIndex: ${bytes.length} bytes, the header alone is ${HEADER_BYTES}`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new RangeError(`${NAME} is not a serialized PolygonIndex: magic must be 46 4b 50 47 ("FKPG"), got ${got}`);
    }
  }
  if (bytes[4] !== FORMAT_VERSION) {
    throw new RangeError(`${NAME} has format version ${bytes[4]}; this version of fastkernels reads version ${FORMAT_VERSION}`);
  }
  const flags = bytes[5];
  if ((flags & ~(FLAG_RINGS | FLAG_FEATURES)) !== 0) {
    throw new RangeError(`${NAME} has unknown flags 0x${flags.toString(16)} (known: 0x1 rings, 0x2 feature index)`);
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  for (const at of [6, 7, 24, 25, 26, 27, 28, 29, 30, 31]) {
    if (bytes[at] !== 0) throw new RangeError(`${NAME} has a non-zero reserved header byte at ${at}`);
  }
  const n = header.getUint32(8, true);
  const v = header.getUint32(12, true);
  const r = header.getUint32(16, true);
  const f = header.getUint32(20, true);
  if (!(flags & FLAG_RINGS) && r !== n) {
    throw new RangeError(`${NAME} has ${r} rings for ${n} polygons without a rings section (they must be equal)`);
  }
  if (!(flags & FLAG_FEATURES) && f !== 0) throw new RangeError(`${NAME} counts ${f} features without a feature index section`);
  const lengths = sections(n, v, r, flags);
  const expected = HEADER_BYTES + lengths.reduce((sum, l) => sum + padded(l), 0);
  if (bytes.length !== expected) {
    throw new RangeError(`${NAME} has length ${bytes.length}, expected ${expected} for ${n} polygons, ${v} vertices and ${r} rings (truncated or padded?)`);
  }
  const starts: number[] = [];
  let at = HEADER_BYTES;
  for (let s = 0; s < lengths.length; s++) {
    starts.push(at);
    // Padding is zeros: a buffer has exactly one valid form.
    for (let p = at + lengths[s]; p < at + padded(lengths[s]); p++) {
      if (bytes[p] !== 0) throw new RangeError(`${NAME} has a non-zero padding byte at ${p} (after the ${SECTION_NAMES[s]} section)`);
    }
    at += padded(lengths[s]);
  }
  const x = new Float64Array(section(bytes, starts[0], lengths[0]));
  const y = new Float64Array(section(bytes, starts[1], lengths[1]));
  const offsets = new Uint32Array(section(bytes, starts[2], lengths[2]));
  const rings = flags & FLAG_RINGS ? new Uint32Array(section(bytes, starts[3], lengths[3])) : undefined;
  const featureIndex = flags & FLAG_FEATURES ? new Int32Array(section(bytes, starts[4], lengths[4])) : undefined;
  scanFinite(`${NAME}: x`, x);
  scanFinite(`${NAME}: y`, y);
  checkFlatPolygons(NAME, { x, y, offsets, rings });
  if (featureIndex) {
    for (let i = 0; i < featureIndex.length; i++) {
      if (featureIndex[i] < 0 || featureIndex[i] >= f) {
        throw new RangeError(`${NAME}: featureIndex[${i}] must be from 0 to the feature count ${f} - 1, got ${featureIndex[i]}`);
      }
    }
  }
  return { x, y, offsets, rings, featureIndex, featureCount: f };
}
