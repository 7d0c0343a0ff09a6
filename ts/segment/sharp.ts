/**
 * The one place that loads sharp, lazily: importing "fastkernels" for its
 * kernels never loads it (nor libvips); only the image functions do.
 */
type Sharp = typeof import("sharp");

let loaded: Promise<Sharp> | null = null;

export function loadSharp(): Promise<Sharp> {
  loaded ??= import("sharp").then(
    (module) => module.default,
    (error: unknown) => {
      loaded = null;
      throw new Error(`sharp could not be loaded (${String((error as Error)?.message ?? error).split("\n")[0]})`);
    },
  );
  return loaded;
}
