/**
 * Distinct 8-bit colours and their counts: the input of the exact
 * distinct-colour fit (`fitGmm(colors, { dims, sampleWeight: counts })`
 * equals the per-pixel fit to ~1e-12 with the same explicit init, at a cost
 * proportional to the number of distinct colours). Up to 4 channels are
 * packed into one 32-bit key; keys are sorted, so colours come out in
 * ascending lexicographic order (first channel most significant).
 */
import type { Layout } from "./validate";
import type { DistinctColors } from "./types";

export function countDistinctColors(pixels: Uint8Array, layout: Layout): DistinctColors {
  const { n, d, rowWidth, columns } = layout;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (let j = 0; j < d; j++) key = key * 256 + pixels[i * rowWidth + columns[j]];
    keys[i] = key;
  }
  keys.sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) distinct++;
  const colors = new Uint8Array(distinct * d);
  const counts = new Float64Array(distinct);
  let m = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      m++;
      let key = keys[i];
      for (let j = d - 1; j >= 0; j--) {
        colors[m * d + j] = key % 256;
        key = Math.floor(key / 256);
      }
    }
    counts[m]++;
  }
  return { colors, counts, dims: d };
}
