// `node --import ./block-vega.mjs ...`: registers an ES-module resolve hook
// that refuses "vega" and "vega-lite", so a process that loads them fails.
// Used to check that loading fastkernels and the report module does not.
import { register } from "node:module";

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === "vega" || specifier === "vega-lite") throw new Error("blocked import of " + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
