/**
 * The segmentation report. The numbers (curves, histogram, escaping) are
 * tested here on the TypeScript sources; the report itself is rendered by
 * the built dist/ in a child process (helpers/segment-report-child.cjs),
 * because vega and vega-lite are ES modules that jest's CommonJS module
 * system cannot import(). `npm test` builds dist/ before jest.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { histogramDensity, mixtureCurves, posteriorCurves, unitGrid } from "../ts/segment/density";
import { RENDERER_PACKAGES } from "../ts/segment/charts";
import { checkPng, escapeHtml, scriptJson } from "../ts/segment/html";

const run = promisify(execFile);
const root = path.join(__dirname, "..");
const child = path.join(__dirname, "helpers", "segment-report-child.cjs");
const blockVega = path.join(__dirname, "helpers", "block-vega.mjs");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Model {
  weights: number[];
  means: number[];
  variances: number[];
  stdevs: number[];
}

/** `w N(x | mu, sigma)` written out directly (not in the log domain, unlike the module). */
function weightedNormal(x: number, w: number, mu: number, sigma: number): number {
  const d = x - mu;
  return (w / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-(d * d) / (2 * sigma * sigma));
}

function expectRelativelyEqual(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  actual.forEach((a, i) => {
    const e = expected[i];
    const err = Math.abs(a - e) / Math.max(Math.abs(e), Number.MIN_VALUE);
    if (!(a === e || err <= tolerance)) worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  });
  expect(worst).toBe(0);
}

const MODEL: Model = {
  weights: [0.5, 0.3, 0.2],
  means: [0.2, 0.55, 0.85],
  variances: [0.05 ** 2, 0.06 ** 2, 0.04 ** 2],
  stdevs: [0.05, 0.06, 0.04],
};

describe("mixture curves", () => {
  test("default: 512 evenly spaced x in [0, 1], components and mixture equal sum_k w_k N(x | mu_k, sigma_k)", () => {
    const curves = mixtureCurves(MODEL);
    expect(curves.x).toHaveLength(512);
    expect(curves.x[0]).toBe(0);
    expect(curves.x[511]).toBe(1);
    curves.x.forEach((x, i) => expect(x).toBeCloseTo(i / 511, 15));
    expect(curves.components).toHaveLength(3);
    MODEL.weights.forEach((w, k) =>
      expectRelativelyEqual(
        curves.components[k],
        curves.x.map((x) => weightedNormal(x, w, MODEL.means[k], MODEL.stdevs[k])),
        1e-12,
      ),
    );
    const expected = curves.x.map((x) => MODEL.weights.reduce((sum, w, k) => sum + weightedNormal(x, w, MODEL.means[k], MODEL.stdevs[k]), 0));
    expectRelativelyEqual(curves.mixture, expected, 1e-12);
  });

  test("points, degenerate components and a mismatched model", () => {
    expect(mixtureCurves(MODEL, 5).x).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => mixtureCurves(MODEL, 1)).toThrow(RangeError);
    expect(() => mixtureCurves(MODEL, 2.5)).toThrow(RangeError);
    expect(() => mixtureCurves({ ...MODEL, means: [0.5] })).toThrow(/3 weights, 1 means/);
    // A zero stdev or a zero weight has no density to draw: it contributes 0, the rest stay finite.
    const degenerate = mixtureCurves({ weights: [0.5, 0.5, 0], means: [0.5, 0.25, 0.75], variances: [0, 0.01, 0.01], stdevs: [0, 0.1, 0.1] }, 9);
    expect(degenerate.components[0].every((v) => v === 0)).toBe(true);
    expect(degenerate.components[2].every((v) => v === 0)).toBe(true);
    expectRelativelyEqual(degenerate.mixture, degenerate.components[1], 0);
  });

  test("posteriors sum to 1 and equal w_k N_k / mixture, also where every density underflows", () => {
    const curves = mixtureCurves(MODEL, 257);
    const { posteriors } = posteriorCurves(MODEL, 257);
    curves.x.forEach((_, i) => {
      expect(posteriors.reduce((s, p) => s + p[i], 0)).toBeCloseTo(1, 12);
      if (curves.mixture[i] > 1e-200) posteriors.forEach((p, k) => expect(p[i]).toBeCloseTo(curves.components[k][i] / curves.mixture[i], 12));
    });
    const narrow = { weights: [0.5, 0.5], means: [0, 1], variances: [1e-6, 1e-6], stdevs: [1e-3, 1e-3] };
    expect(mixtureCurves(narrow, 3).mixture[1]).toBe(0);
    const mid = posteriorCurves(narrow, 3).posteriors.map((p) => p[1]);
    expect(mid).toEqual([0.5, 0.5]);
  });

  test("unitGrid", () => {
    expect(unitGrid(2)).toEqual([0, 1]);
    expect(() => unitGrid(0)).toThrow(RangeError);
  });
});

describe("histogram density", () => {
  const integral = (h: ReturnType<typeof histogramDensity>) => h.density.reduce((s, d, b) => s + d * (h.x1[b] - h.x0[b]), 0);

  test("integrates to 1 over [0, 1] (8-bit planes and float values, any bin count)", () => {
    const plane = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256);
    const floats = Float64Array.from({ length: 3000 }, (_, i) => ((i * 0.6180339887) % 1) ** 2);
    for (const bins of [1, 7, 51, 64, 256, 1000]) {
      expect(integral(histogramDensity(plane, bins))).toBeCloseTo(1, 12);
      expect(integral(histogramDensity(floats, bins))).toBeCloseTo(1, 12);
    }
    expect(integral(histogramDensity(plane))).toBeCloseTo(1, 12);
    expect(integral(histogramDensity(floats))).toBeCloseTo(1, 12);
  });

  test("bins: edges, defaults, 8-bit levels without a comb, values outside [0, 1] and NaN", () => {
    const h = histogramDensity(Float64Array.of(0, 0.1, 0.5, 0.99, 1), 4);
    expect(h.x0).toEqual([0, 0.25, 0.5, 0.75]);
    expect(h.x1).toEqual([0.25, 0.5, 0.75, 1]);
    expect(h.density).toEqual([(2 / 5) * 4, 0, (1 / 5) * 4, (2 / 5) * 4]);
    expect(histogramDensity(new Float64Array(10)).density).toHaveLength(64);
    // Every 8-bit level once: 51 bins of five levels each (the last one also holds 255).
    const levels = histogramDensity(Uint8Array.from({ length: 256 }, (_, v) => v));
    expect(levels.density).toHaveLength(51);
    levels.density.slice(0, 50).forEach((d) => expect(d).toBeCloseTo((5 / 256) * 51, 12));
    expect(levels.density[50]).toBeCloseTo((6 / 256) * 51, 12);
    // Out of range values are counted in the end bins, NaN is skipped.
    const clamped = histogramDensity(Float64Array.of(-1, 2, NaN, Infinity), 2);
    expect(clamped.density).toEqual([1 / 3 / 0.5, 2 / 3 / 0.5]);
    expect(histogramDensity(new Uint8Array(0)).density.every((d) => d === 0)).toBe(true);
    expect(() => histogramDensity(new Uint8Array(1), 0)).toThrow(RangeError);
  });
});

describe("HTML helpers", () => {
  test("escapeHtml and scriptJson", () => {
    expect(escapeHtml(`a<b>&"c"'d'`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
    const value = { name: "</script><script>alert(1)</script>", line: "\u2028" };
    const text = scriptJson(value);
    expect(text).not.toMatch(/<|\u2028/);
    expect(JSON.parse(text)).toEqual(value);
  });

  test("checkPng refuses bytes that are not PNG", () => {
    expect(() => checkPng(Buffer.from("GIF89a.."), "inputPng")).toThrow(/inputPng must be PNG bytes/);
    expect(() => checkPng("x" as unknown as Buffer, "inputPng")).toThrow(TypeError);
    expect(() => checkPng(PNG_SIGNATURE, "inputPng")).not.toThrow();
  });
});

test("vega and vega-lite: exact dependency pins (loaded lazily), named in the missing-renderer message", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  expect(RENDERER_PACKAGES).toBe(`vega@${pkg.dependencies.vega} vega-lite@${pkg.dependencies["vega-lite"]}`);
});

describe("report (built dist/, child process)", () => {
  let dir: string;
  let result: { html: string; figures: string[]; model: Model; vegaRequired: boolean };
  let html: string;

  beforeAll(async () => {
    if (!existsSync(path.join(root, "dist", "segment", "report.js"))) throw new Error("dist/segment/report.js is missing: run `npm run build:ts` first");
    dir = mkdtempSync(path.join(tmpdir(), "fastkernels-report-"));
    const { stdout } = await run(process.execPath, [child, dir], { cwd: root, encoding: "utf8", timeout: 120_000 });
    result = JSON.parse(stdout);
    html = readFileSync(result.html, "utf8");
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("is self-contained: no network reference except SVG namespaces, no external resources", () => {
    const withoutNamespaces = html.replace(/ xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "");
    expect(withoutNamespaces).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link\b|@import|url\(|<script\b[^>]*\bsrc=|<iframe\b/i);
    // Every src is a data URL, every script is inert JSON.
    for (const [, src] of html.matchAll(/\bsrc="([^"]*)"/g)) expect(src).toMatch(/^data:image\/png;base64,/);
    for (const [, type] of html.matchAll(/<script\b[^>]*\btype="([^"]*)"/g)) expect(type).toBe("application/json");
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  test("three static SVG charts and the two PNGs, inlined, per section", () => {
    expect(html.match(/<section class="segment"/g)).toHaveLength(1);
    expect(html.match(/<svg\b/g)).toHaveLength(3);
    for (const name of ["histogram", "log-likelihood", "posterior"]) expect(html).toContain(`<div class="chart" data-chart="${name}"><svg`);
    const pngs = [...html.matchAll(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], "base64"));
    expect(pngs).toHaveLength(2);
    pngs.forEach((png) => expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true));
    expect(pngs[0].equals(readFileSync(path.join(dir, "figures", "input.png")))).toBe(true);
    expect(pngs[1].equals(readFileSync(path.join(dir, "figures", "segmentation.png")))).toBe(true);
    // Drawn SVG, with system-independent (generic) fonts.
    expect(html).toMatch(/<path[^>]* d="M/);
    const fonts = new Set([...html.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...fonts]).toEqual(["sans-serif"]);
  });

  test("the mixture curve drawn equals sum_k w_k N(x | mu_k, sigma_k) of the fitted model, the histogram integrates to 1", () => {
    const match = html.match(/<script type="application\/json" data-chart="histogram">([\s\S]*?)<\/script>/);
    expect(match).not.toBeNull();
    const spec = JSON.parse(match![1]);
    const [bars, curves] = spec.layer as { data: { values: Record<string, number>[] } }[];
    const rows = curves.data.values;
    expect(rows).toHaveLength(512);
    const { model } = result;
    const x = rows.map((r) => r.x);
    x.forEach((v, i) => expect(v).toBeCloseTo(i / 511, 15));
    const expected = x.map((v) => model.weights.reduce((sum, w, k) => sum + weightedNormal(v, w, model.means[k], model.stdevs[k]), 0));
    expectRelativelyEqual(
      rows.map((r) => r.mixture),
      expected,
      1e-12,
    );
    model.weights.forEach((w, k) =>
      expectRelativelyEqual(
        rows.map((r) => r[`component ${k}`]),
        x.map((v) => weightedNormal(v, w, model.means[k], model.stdevs[k])),
        1e-12,
      ),
    );
    const area = bars.data.values.reduce((s, b) => s + b.density * (b.x1 - b.x0), 0);
    expect(area).toBeCloseTo(1, 12);
  });

  test("log-likelihood chart data, parameter and timings tables", () => {
    const ll = JSON.parse(html.match(/<script type="application\/json" data-chart="log-likelihood">([\s\S]*?)<\/script>/)![1]);
    expect(ll.data.values.length).toBeGreaterThan(1);
    expect(ll.data.values[0].iteration).toBe(1);
    expect(html).toMatch(/<th>k<\/th><th>weight<\/th><th>mean<\/th><th>stdev<\/th><th>variance<\/th>/);
    expect(html.match(/<table class="parameters">[\s\S]*?<\/table>/)![0].match(/<tr>/g)).toHaveLength(1 + 3);
    for (const stage of ["decode", "prepare", "EM", "labels", "post-process", "encode", "total"]) expect(html).toContain(`<td>${stage}</td>`);
    expect(html).toContain("<td>total</td><td>19.8</td>");
  });

  test("two sections: three charts and two images each, a table of contents, the default title", () => {
    const two = readFileSync(path.join(dir, "report2.html"), "utf8");
    expect(two.match(/<section class="segment" id="section-\d"/g)).toEqual(['<section class="segment" id="section-1"', '<section class="segment" id="section-2"']);
    expect(two.match(/<svg\b/g)).toHaveLength(6);
    expect(two.match(/src="data:image\/png;base64,/g)).toHaveLength(4);
    expect(two).toContain('<a href="#section-2">b.png</a>');
    expect(two).toContain("<h2>b.png + a.png</h2>");
    expect(two).toContain("<title>fastkernels segmentation report</title>");
    // Float data: the default 64 bins.
    const specs = [...two.matchAll(/<script type="application\/json" data-chart="histogram">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]));
    expect(specs.map((spec) => spec.layer[0].data.values.length)).toEqual([51, 64]);
  });

  test("file names and the title are escaped", () => {
    expect(html).toContain("<title>Report &lt;test&gt; &amp; co</title>");
    expect(html).toContain("scenes/&lt;odd&gt; &amp; &quot;quoted&quot; &#39;name&#39;.png");
    expect(html).toContain("out/&lt;seg&gt;.png");
    expect(html).not.toContain("<odd>");
    expect(html).not.toContain("<seg>");
  });

  test("writeFigures writes 3 SVGs and 2 PNGs", () => {
    const names = result.figures.map((f) => path.relative(dir, f));
    expect(names).toEqual(["histogram.svg", "log-likelihood.svg", "posterior.svg", "input.png", "segmentation.png"].map((n) => path.join("figures", n)));
    for (const file of result.figures.slice(0, 3)) expect(readFileSync(file, "utf8")).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    for (const file of result.figures.slice(3)) expect(readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  test("loading fastkernels and the report module loads neither vega nor vega-lite (lazy)", async () => {
    expect(result.vegaRequired).toBe(false);
    // With imports of vega refused, loading and the pure helpers still work; rendering is what fails.
    const { stdout } = await run(process.execPath, ["--import", blockVega, child, "--lazy"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const lazy = JSON.parse(stdout);
    expect(lazy).toMatchObject({ lazy: true, vegaRequired: false });
    // ... and says what to install.
    expect(lazy.renderError).toMatch(/^the segmentation report's charts need vega and vega-lite \(npm install vega@6\.4\.0 vega-lite@6\.4\.3\): blocked import of vega/);
  });
});
