// Runs the built report (dist/segment/report.js) in a plain Node process:
// vega and vega-lite are ES modules, which jest's CommonJS module system
// cannot import(). Usage:
//   node segment-report-child.cjs OUT_DIR
//     builds one synthetic section (the demo scene fitted with fitGmm, PNGs
//     made with sharp), writes OUT_DIR/report.html OUT_DIR/figures/* and a two-section
//     OUT_DIR/report2.html,
//     and prints a JSON line {html, figures, model, vegaRequired}.
//   node --import BLOCK_VEGA_HOOK segment-report-child.cjs --lazy
//     with an ES-module resolve hook that refuses "vega" and "vega-lite":
//     loads the package and the report module, uses the pure helpers, then
//     checks that rendering is what fails (so the hook did apply). Prints
//     {lazy: true, renderError}.
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const { Buffer } = require("node:buffer");
const { setTimeout: sleep } = require("node:timers/promises");

const root = path.join(__dirname, "..", "..");
const dist = path.join(root, "dist");

const vegaLoaded = () => Object.keys(require.cache).some((f) => /[\\/]node_modules[\\/]vega(-lite)?[\\/]/.test(f));

async function main() {
  const out = process.argv[2];
  process.env.FASTKERNELS_SILENT = "1";
  const fk = require(path.join(dist, "index.js"));
  const report = require(path.join(dist, "segment", "report.js"));
  const { generateScene } = require(path.join(dist, "demo", "scene.js"));
  if (out === "--lazy") return lazy(fk, report);
  // Loading must not have required vega (an import() would fail in --lazy mode).
  const vegaRequired = vegaLoaded();

  const sharp = (await import("sharp")).default;
  const { width, height, intensities } = generateScene(96, 64, 7);
  const plane = Uint8Array.from(intensities, (v) => Math.round(255 * v));
  const fit = fk.fitGmm(plane, { components: 3, iterations: 60, tol: 1e-7 });
  const labels = fk.predictGmm(plane, fit);
  const palette = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
  ];
  const rgb = Buffer.alloc(width * height * 3);
  labels.forEach((k, i) => rgb.set(palette[k % palette.length], 3 * i));
  const inputPng = await sharp(Buffer.from(plane), { raw: { width, height, channels: 1 } }).png().toBuffer();
  const segmentationPng = await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
  const summary = {
    input: 'scenes/<odd> & "quoted" \'name\'.png',
    width,
    height,
    channel: "luma",
    components: 3,
    model: { weights: [...fit.weights], means: [...fit.means], variances: [...fit.variances], stdevs: [...fit.stdevs] },
    logLikelihoods: [...fit.logLikelihoods],
    iterations: fit.iterations,
    converged: fit.converged,
    timings: { decode: 1.25, prepare: 0.5, em: 12.75, labels: 2, postprocess: 0.25, encode: 3 },
    outputs: { output: "out/<seg>.png", report: "out/report.html" },
  };
  const section = { summary, data: plane, inputPng, segmentationPng };
  const html = await report.renderReportHtml([section], { title: "Report <test> & co" });
  fs.writeFileSync(path.join(out, "report.html"), html);
  const figures = await report.writeFigures(section, path.join(out, "figures"));
  // Two sections, the second one float (CIE94-like) data with a second input.
  const cie94 = { ...section, data: Float64Array.from(plane, (v) => v / 255), summary: { ...summary, input: "b.png", secondInput: "a.png", channel: "cie94" } };
  fs.writeFileSync(path.join(out, "report2.html"), await report.renderReportHtml([section, cie94]));
  process.stdout.write(JSON.stringify({ html: path.join(out, "report.html"), figures, model: summary.model, vegaRequired }) + "\n");
}

async function lazy(fk, report) {
  fk.computeExpsumStable(Float64Array.of(0.5), Float64Array.of(1), Float64Array.of(0.5), Float64Array.of(0.1));
  report.mixtureCurves({ weights: [1], means: [0.5], variances: [0.01], stdevs: [0.1] });
  report.histogramDensity(Uint8Array.of(1, 2, 3));
  // Let any import() started at load time settle (it would reject: unhandled rejection, exit 1).
  await sleep(50);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const summary = { input: "x", width: 1, height: 1, channel: "luma", components: 1, model: { weights: [1], means: [0.5], variances: [0.01], stdevs: [0.1] }, logLikelihoods: [], iterations: 0, converged: false, timings: { decode: 0, prepare: 0, em: 0, labels: 0, postprocess: 0, encode: 0 }, outputs: {} };
  let renderError = null;
  try {
    await report.renderReportHtml([{ summary, data: Uint8Array.of(1), inputPng: png, segmentationPng: png }]);
  } catch (error) {
    renderError = String(error.message);
  }
  process.stdout.write(JSON.stringify({ lazy: true, vegaRequired: vegaLoaded(), renderError }) + "\n");
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
