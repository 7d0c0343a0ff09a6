/**
 * How the demo judges a fit: agreement of two fits of the same data, and
 * how well a labelling recovers the generated regions.
 */
import type { GmmFit } from "../gmm";

/** Largest relative difference over means, stdevs, weights and log-likelihoods. */
export function maxRelativeDifference(a: GmmFit, b: GmmFit): number {
  let worst = 0;
  for (const key of ["means", "stdevs", "weights", "logLikelihoods"] as const) {
    const x = a[key];
    const y = b[key];
    if (x.length !== y.length) return Infinity;
    for (let i = 0; i < x.length; i++) {
      const scale = Math.max(Math.abs(x[i]), Math.abs(y[i]), Number.MIN_VALUE);
      worst = Math.max(worst, Math.abs(x[i] - y[i]) / scale);
    }
  }
  return worst;
}

/**
 * Fraction of pixels whose component, ranked by mean, has the rank of its
 * true region (regions are generated darkest first). Meaningful when the
 * number of components equals the number of regions.
 */
export function rankAccuracy(labels: Uint8Array, means: Float64Array, truth: Uint8Array): number {
  const order = Array.from(means.keys()).sort((p, q) => means[p] - means[q]);
  const rankOf = new Uint8Array(means.length);
  order.forEach((component, rank) => (rankOf[component] = rank));
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (rankOf[labels[i]] === truth[i]) hits++;
  return hits / labels.length;
}
