/**
 * The segmentation report (`segment --report` / `--figures`): one
 * self-contained HTML file, or a folder of figures, per fitted image.
 *
 * The HTML needs no network to view: the images are inlined as PNG data
 * URLs, the charts as static SVG rendered from vega-lite specs by vega's
 * headless View, the style sheet is inline and uses generic font families.
 * Each chart's vega-lite spec (with its data inline) is embedded next to
 * it as `<script type="application/json" data-chart="...">`, so the numbers
 * a chart was drawn from can be read back.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { componentColor, isColourSection, renderSvg, sectionCharts } from "./charts";
import { checkPng, escapeHtml, formatMs, formatNumber, pngDataUrl, scriptJson } from "./html";
import type { ReportSection, SegmentSummary } from "./types";

export { histogramDensity, mixtureCurves } from "./density";
export type { ReportSection, SegmentSummary } from "./types";

const DEFAULT_TITLE = "fastkernels segmentation report";

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d232a; background: #f6f7f9; margin: 0; padding: 24px; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0 0 16px; }
h2 { font-size: 1.2rem; margin: 0 0 8px; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 20px 0 8px; }
nav ol { margin: 0 0 16px; padding-left: 20px; }
section.segment { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 20px; margin: 0 0 24px; max-width: 1120px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
dl.facts dt { color: #5a6572; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.images { display: flex; flex-wrap: wrap; gap: 16px; }
.images figure { flex: 1 1 320px; margin: 0; max-width: 540px; }
.images img { width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #dde1e6; background: #eee; }
figcaption { color: #5a6572; font-size: 0.9rem; margin-top: 4px; }
.charts { display: flex; flex-direction: column; gap: 12px; margin-top: 16px; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e6e9ed; padding: 3px 12px 3px 0; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: 600; border-bottom: none; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
`;

const TIMING_STAGES: [keyof SegmentSummary["timings"], string][] = [
  ["decode", "decode"],
  ["prepare", "prepare"],
  ["em", "EM"],
  ["labels", "labels"],
  ["postprocess", "post-process"],
  ["encode", "encode"],
];

const OUTPUT_LABELS: [keyof SegmentSummary["outputs"], string][] = [
  ["output", "output image"],
  ["labels", "labels output"],
  ["json", "JSON summary"],
  ["report", "report"],
  ["figures", "figures folder"],
];

function factsList(s: SegmentSummary): string {
  const facts: [string, string][] = [["input", s.input]];
  if (s.secondInput !== undefined) facts.push(["second input", s.secondInput]);
  facts.push(
    ["size", `${s.width} × ${s.height}`],
    ["channel", s.channel],
    ["components", String(s.components)],
    ["iterations", `${s.iterations} (${s.converged ? "converged" : "not converged"})`],
  );
  if (s.logLikelihoods.length > 0) facts.push(["final log-likelihood", formatNumber(s.logLikelihoods[s.logLikelihoods.length - 1])]);
  for (const [key, label] of OUTPUT_LABELS) {
    const value = s.outputs[key];
    if (value !== undefined) facts.push([label, value]);
  }
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>`;
}

/** A colour fit's parameters: weight, mean colour, per-channel means and standard deviations. */
function colourParameterTable(s: SegmentSummary): string {
  const { model } = s;
  const channels = s.colorSpace === "lab" ? ["L*", "a*", "b*"] : ["R", "G", "B"];
  const colors = model.colors ?? [];
  const head = ["k", "weight", "mean colour", ...channels.map((c) => `mean ${c}`), ...channels.map((c) => `stdev ${c}`)];
  const rows = model.weights.map((w, k) => {
    const rgb = `rgb(${colors[3 * k]}, ${colors[3 * k + 1]}, ${colors[3 * k + 2]})`;
    const cells = [
      `<td><span class="swatch" style="background:${componentColor(k)}"></span>${k}</td>`,
      `<td>${formatNumber(w)}</td>`,
      `<td><span class="swatch" style="background:${rgb}"></span>${escapeHtml(rgb)}</td>`,
      ...[0, 1, 2].map((j) => `<td>${formatNumber(model.means[3 * k + j])}</td>`),
      ...[0, 1, 2].map((j) => `<td>${formatNumber(model.stdevs[3 * k + j])}</td>`),
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table class="parameters"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function parameterTable(model: SegmentSummary["model"]): string {
  const rows = model.weights.map(
    (w, k) =>
      `<tr><td><span class="swatch" style="background:${componentColor(k)}"></span>${k}</td>` +
      `<td>${formatNumber(w)}</td><td>${formatNumber(model.means[k])}</td><td>${formatNumber(model.stdevs[k])}</td><td>${formatNumber(model.variances[k])}</td></tr>`,
  );
  return `<table class="parameters"><thead><tr><th>k</th><th>weight</th><th>mean</th><th>stdev</th><th>variance</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function timingsTable(timings: SegmentSummary["timings"]): string {
  const total = TIMING_STAGES.reduce((sum, [key]) => sum + timings[key], 0);
  const share = (ms: number) => (total > 0 && Number.isFinite(ms) ? `${((100 * ms) / total).toFixed(1)} %` : "");
  const rows = TIMING_STAGES.map(([key, label]) => `<tr><td>${label}</td><td>${formatMs(timings[key])}</td><td>${share(timings[key])}</td></tr>`);
  rows.push(`<tr class="total"><td>total</td><td>${formatMs(total)}</td><td></td></tr>`);
  return `<table class="timings"><thead><tr><th>stage</th><th>ms</th><th>share</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function checkSection(section: ReportSection, where: string): void {
  const { summary } = section;
  if (summary === null || typeof summary !== "object") throw new TypeError(`${where}.summary must be a SegmentSummary`);
  if (!(section.data instanceof Float64Array || section.data instanceof Uint8Array)) {
    throw new TypeError(`${where}.data must be a Float64Array or a Uint8Array`);
  }
  checkPng(section.inputPng, `${where}.inputPng`);
  checkPng(section.segmentationPng, `${where}.segmentationPng`);
}

async function sectionHtml(section: ReportSection, index: number): Promise<string> {
  const s = section.summary;
  const heading = s.secondInput === undefined ? s.input : `${s.input} + ${s.secondInput}`;
  const charts: string[] = [];
  for (const chart of sectionCharts(section)) {
    const svg = await renderSvg(chart.spec);
    charts.push(
      `<div class="chart" data-chart="${chart.name}">${svg}</div>\n` +
        `<script type="application/json" data-chart="${chart.name}">${scriptJson(chart.spec)}</script>`,
    );
  }
  const dims = `width="${s.width}" height="${s.height}"`;
  const colour = isColourSection(section);
  return [
    `<section class="segment" id="section-${index + 1}">`,
    `<h2>${escapeHtml(heading)}</h2>`,
    factsList(s),
    `<div class="images">`,
    `<figure><img src="${pngDataUrl(section.inputPng, "inputPng")}" ${dims} alt="${escapeHtml(`input: ${heading}`)}"><figcaption>${colour ? `input (fitted in ${escapeHtml(s.colorSpace)})` : `input (${escapeHtml(s.channel)} channel as shown)`}</figcaption></figure>`,
    `<figure><img src="${pngDataUrl(section.segmentationPng, "segmentationPng")}" ${dims} alt="${escapeHtml(`segmentation of ${heading}`)}"><figcaption>segmentation (${s.components} components)</figcaption></figure>`,
    `</div>`,
    `<div class="charts">`,
    ...charts,
    `</div>`,
    `<h3>Fitted parameters${colour ? ` (${escapeHtml(s.model.covariance ?? "full")} covariance)` : ""}</h3>`,
    colour ? colourParameterTable(s) : parameterTable(s.model),
    `<h3>Timings</h3>`,
    timingsTable(s.timings),
    `</section>`,
  ].join("\n");
}

/**
 * One self-contained HTML page with a section per fitted image: the input
 * and the segmentation side by side, the intensity histogram with the
 * weighted component densities and the mixture, the log-likelihood per
 * iteration, the posterior of each component, the parameter table and the
 * timings table. A colour (rgb / lab) section has one histogram per channel
 * with the mixture's marginals instead of the intensity histogram, and the
 * weights (in each component's mean colour) instead of the posterior.
 * Loads vega and vega-lite on first use.
 */
export async function renderReportHtml(sections: ReportSection[], options: { title?: string } = {}): Promise<string> {
  if (!Array.isArray(sections)) throw new TypeError("sections must be an array of ReportSection");
  sections.forEach((section, i) => checkSection(section, `sections[${i}]`));
  const title = options?.title ?? DEFAULT_TITLE;
  const body: string[] = [];
  for (let i = 0; i < sections.length; i++) body.push(await sectionHtml(sections[i], i));
  const nav =
    sections.length > 1
      ? `<nav><ol>${sections.map((s, i) => `<li><a href="#section-${i + 1}">${escapeHtml(s.summary.input)}</a></li>`).join("")}</ol></nav>`
      : "";
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    nav,
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Writes a section's figures into `dir` (created if needed): the charts as
 * standalone SVG (1-D: `histogram.svg`, `log-likelihood.svg`,
 * `posterior.svg`; colour: `histogram-R.svg`, `histogram-G.svg`,
 * `histogram-B.svg` (or `-L`, `-a`, `-b`), `log-likelihood.svg`,
 * `weights.svg`) and the two images (`input.png`, `segmentation.png`).
 * Resolves to the written paths, in that order.
 */
export async function writeFigures(section: ReportSection, dir: string): Promise<string[]> {
  checkSection(section, "section");
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const chart of sectionCharts(section)) {
    const file = path.join(dir, `${chart.name}.svg`);
    await writeFile(file, (await renderSvg(chart.spec)) + "\n");
    written.push(file);
  }
  for (const [name, bytes] of [
    ["input.png", section.inputPng],
    ["segmentation.png", section.segmentationPng],
  ] as const) {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    written.push(file);
  }
  return written;
}
