/**
 * `fastkernels segment` end to end: the built CLI (dist/cli.js) spawned in a
 * temp folder on images generated here with sharp.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import sharp from "sharp";

import { fitGmm } from "../ts/gmm";
import { componentLevel, readImagePlane, readImageRgb, srgbToLab } from "../ts/segment";
import { planOutputs } from "../ts/segment/command";
import type { SegmentSummary } from "../ts/segment";

const root = path.join(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

function segment(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, FASTKERNELS_SILENT: "1" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A 96 x 64 colour image: three levels in the blue plane; b.png: the same with the bar removed. */
async function makeImages(): Promise<void> {
  const width = 96;
  const height = 64;
  const a = Buffer.alloc(width * height * 3);
  const b = Buffer.alloc(width * height * 3);
  let s = 7;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      const disc = (x - 40) ** 2 + (y - 32) ** 2 < 400;
      const bar = x > 72;
      const blue = (disc ? 140 : bar ? 215 : 40) + Math.floor(random() * 30);
      a.set([90 + (x >> 2), 150, blue], i);
      b.set([90 + (x >> 2), 150, bar ? 40 + Math.floor(random() * 30) : Math.min(255, blue + Math.floor(random() * 3))], i);
    }
  }
  await sharp(a, { raw: { width, height, channels: 3 } }).png().toFile(path.join(dir, "a.png"));
  await sharp(b, { raw: { width, height, channels: 3 } }).png().toFile(path.join(dir, "b.png"));
  await sharp(Buffer.from([10, 200, 30, 40, 50, 60]), { raw: { width: 2, height: 1, channels: 3 } }).png().toFile(path.join(dir, "tiny.png"));
  // c.png: three colour regions (blue background, red disc, green bar) with noise in every channel.
  const c = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = () => Math.floor(random() * 28);
      const disc = (x - 40) ** 2 + (y - 32) ** 2 < 400;
      const base = disc ? [200, 40, 50] : x > 72 ? [30, 180, 90] : [60, 60, 200];
      c.set(base.map((v) => v + noise()), 3 * (y * width + x));
    }
  }
  await sharp(c, { raw: { width, height, channels: 3 } }).png().toFile(path.join(dir, "c.png"));
}

async function rgbPixels(file: string): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

async function grayPixels(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fastkernels-segment-cli-"));
  await makeImages();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fastkernels segment", () => {
  test("fit, outputs and per-iteration lines; the fitted means are fitGmm's to the last bit", async () => {
    const run = await segment(["segment", "a.png", "--components", "3", "--iterations", "8", "--threads", "2", "--output", "seg.png", "--json", "fit.json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^ {2}iteration +\d+\/8 +log-likelihood /gm)).toHaveLength(8);
    for (const phase of ["decode", "prepare", "em", "labels", "postprocess", "encode", "total"]) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${phase} +[\\d.]+$`, "m"));
    }
    const summary = JSON.parse(readFileSync(path.join(dir, "fit.json"), "utf8")) as SegmentSummary;
    const plane = await readImagePlane(path.join(dir, "a.png"));
    const fit = fitGmm(plane.data, { components: 3, iterations: 8, threads: 2 });
    expect(summary.model.means).toEqual(Array.from(fit.means));
    expect(summary.model.stdevs).toEqual(Array.from(fit.stdevs));
    expect(summary.logLikelihoods).toEqual(Array.from(fit.logLikelihoods));
    expect(summary).toMatchObject({ input: "a.png", width: 96, height: 64, channel: "blue", components: 3, iterations: 8, converged: false });
    expect(summary.outputs).toEqual({ output: "seg.png", json: "fit.json" });
    const seg = await grayPixels(path.join(dir, "seg.png"));
    expect([seg.width, seg.height]).toEqual([96, 64]);
    const levels = new Set(Array.from(fit.means, (m) => Math.round(255 * m)));
    expect(seg.data.every((v) => levels.has(v))).toBe(true);
  });

  test("--no-postprocess --labels: every pixel is round(255 x mean) of its label", async () => {
    const run = await segment(["segment", "a.png", "--iterations", "8", "--no-postprocess", "--output", "raw.png", "--labels", "labels.png", "--json", "raw.json", "--quiet"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    const summary = JSON.parse(readFileSync(path.join(dir, "raw.json"), "utf8")) as SegmentSummary;
    expect(summary.timings.postprocess).toBe(0);
    const [raw, labels] = await Promise.all([grayPixels(path.join(dir, "raw.png")), grayPixels(path.join(dir, "labels.png"))]);
    expect(raw.data.every((v, i) => v === Math.round(255 * summary.model.means[labels.data[i]]))).toBe(true);
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2]));
  });

  test("the original's command line runs unchanged", async () => {
    const run = await segment(["segment", "--first-image", "a.png", "--components", "3", "--iterations", "8"]);
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, "a.segmentation.png"))).toBe(true);
    const eq = await segment(["segment", "--first-image=a.png", "--components=3", "--iterations=8", "--precompiled-num-threads=0", "--json=ref.json", "--quiet"]);
    expect(eq.code).toBe(0);
  });

  test("two-image form with the subtraction threshold", async () => {
    const run = await segment([
      "segment", "--first-image", "a.png", "--second-image", "b.png", "--components", "2", "--iterations", "5",
      "--subtraction-threshold", "2.3", "--json", "pair.json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, "pair.json"), "utf8")) as SegmentSummary;
    expect(summary).toMatchObject({ input: "a.png", secondInput: "b.png", channel: "cie94", components: 2, iterations: 5 });
  });

  test("a subtraction threshold the original would ignore is ignored with a warning", async () => {
    const run = await segment(["segment", "a.png", "--components", "3", "--iterations", "2", "--subtraction-threshold", "2.3", "--quiet"]);
    expect(run.code).toBe(0);
    expect(oneLine(run.stderr)).toContain("--subtraction-threshold ignored");
  });

  test("failures exit 1 with one line, no stack unless --debug", async () => {
    const missing = await segment(["segment", "nope.png"]);
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toBe("fastkernels segment: First image not found: nope.png");
    const second = await segment(["segment", "--first-image", "a.png", "--second-image", "nope.png"]);
    expect(second.code).toBe(1);
    expect(oneLine(second.stderr)).toContain("Second image not found: nope.png");
    const notImage = await segment(["segment", "fit.json"]);
    expect(notImage.code).toBe(1);
    expect(oneLine(notImage.stderr)).toMatch(/^fastkernels segment: cannot read image fit\.json: /);
    const tiny = await segment(["segment", "tiny.png", "--components", "3"]);
    expect(tiny.code).toBe(1);
    expect(oneLine(tiny.stderr)).toContain("tiny.png has 2 pixel(s) (2 x 1); 3 components need at least 3");
    const debug = await segment(["segment", "nope.png", "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  test("usage errors exit 2 with one line", async () => {
    const k1 = await segment(["segment", "a.png", "--components", "1"]);
    expect(k1.code).toBe(2);
    expect(oneLine(k1.stderr)).toContain("Number of components must be 2 or greater");
    for (const args of [
      ["--components", "x"],
      ["--iterations", "0"],
      ["--channel", "purple"],
      ["--visualization", "2"],
      ["--tol", "-1"],
      ["--bogus"],
      ["--threads", "1", "--precompiled-num-threads", "2"],
    ]) {
      const run = await segment(["segment", "a.png", ...args]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      oneLine(run.stderr);
    }
    const none = await segment(["segment"]);
    expect(none.code).toBe(2);
    expect(oneLine(none.stderr)).toContain("no image given");
    const both = await segment(["segment", "a.png", "b.png", "--output", "x.png"]);
    expect(both.code).toBe(2);
    expect(oneLine(both.stderr)).toContain("with several images --output takes no file name");
  });

  test("--color-space rgb: the 3-D fit is fitGmm's to the last bit; --output is the component mean colours", async () => {
    const run = await segment([
      "segment", "c.png", "--color-space", "rgb", "--components", "3", "--iterations", "8", "--threads", "2",
      "--output", "c.rgb.png", "--json", "c.rgb.json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^ {2}iteration +\d+\/8 +log-likelihood /gm)).toHaveLength(8);
    const summary = JSON.parse(readFileSync(path.join(dir, "c.rgb.json"), "utf8")) as SegmentSummary;
    const rgb = await readImageRgb(path.join(dir, "c.png"));
    const fit = fitGmm(rgb.data, { dims: 3, components: 3, iterations: 8, covariance: "full", threads: 2 });
    expect(summary).toMatchObject({ channel: "rgb", colorSpace: "rgb", components: 3, iterations: 8, width: 96, height: 64 });
    expect(summary.model.dims).toBe(3);
    expect(summary.model.covariance).toBe("full");
    expect(summary.model.weights).toEqual(Array.from(fit.weights));
    expect(summary.model.means).toEqual(Array.from(fit.means));
    expect(summary.model.covariances).toEqual(Array.from(fit.covariances));
    expect(summary.logLikelihoods).toEqual(Array.from(fit.logLikelihoods));
    expect(summary.model.colors).toEqual(Array.from(fit.means, (m) => Math.round(255 * m)));
    const out = await rgbPixels(path.join(dir, "c.rgb.png"));
    expect([out.width, out.height, out.channels]).toEqual([96, 64, 3]);
    const colours = new Set([0, 1, 2].map((k) => summary.model.colors!.slice(3 * k, 3 * k + 3).join()));
    const seen = new Set<string>();
    for (let i = 0; i < out.data.length; i += 3) seen.add(Array.from(out.data.subarray(i, i + 3)).join());
    expect(seen).toEqual(colours);
  });

  test("--color-space lab --covariance diag: fitGmm on the CIE Lab values to the last bit; unprocessed output = colour of the label", async () => {
    const run = await segment([
      "segment", "c.png", "--color-space", "lab", "--covariance", "diag", "--components", "3", "--iterations", "6", "--threads", "1",
      "--no-postprocess", "--output", "c.lab.png", "--labels", "c.lab.labels.png", "--json", "c.lab.json", "--quiet",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, "c.lab.json"), "utf8")) as SegmentSummary;
    const rgb = await readImageRgb(path.join(dir, "c.png"));
    const fit = fitGmm(srgbToLab(rgb.data), { dims: 3, components: 3, iterations: 6, covariance: "diag", threads: 1 });
    expect(summary).toMatchObject({ channel: "lab", colorSpace: "lab", iterations: 6 });
    expect(summary.model).toMatchObject({ dims: 3, covariance: "diag" });
    expect(summary.model.weights).toEqual(Array.from(fit.weights));
    expect(summary.model.means).toEqual(Array.from(fit.means));
    expect(summary.model.covariances).toEqual(Array.from(fit.covariances));
    expect(summary.model.variances).toEqual(Array.from(fit.covariances));
    expect(summary.logLikelihoods).toEqual(Array.from(fit.logLikelihoods));
    const [out, labels] = await Promise.all([rgbPixels(path.join(dir, "c.lab.png")), grayPixels(path.join(dir, "c.lab.labels.png"))]);
    const colors = summary.model.colors!;
    expect(labels.data.every((k, i) => [0, 1, 2].every((j) => out.data[3 * i + j] === colors[3 * k + j]))).toBe(true);
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2]));
    expect([0, 1, 2].map((k) => componentLevel(k, 3))).toEqual([0, 128, 255]);
  });

  test("--color-space lab --report --figures: one histogram per channel whose curves are the fitted mixture's marginals (1e-12), log-likelihood, weights", async () => {
    const run = await segment([
      "segment", "c.png", "--color-space", "lab", "--components", "3", "--iterations", "5", "--threads", "1",
      "--json", "c.lab-report.json", "--report", "c.lab.report.html", "--figures", "c.lab.figures",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, "c.lab-report.json"), "utf8")) as SegmentSummary;
    expect(summary.outputs).toMatchObject({ report: "c.lab.report.html", figures: "c.lab.figures" });
    const html = readFileSync(path.join(dir, "c.lab.report.html"), "utf8");
    const names = ["histogram-L", "histogram-a", "histogram-b", "log-likelihood", "weights"];
    expect([...html.matchAll(/<div class="chart" data-chart="([^"]+)"><svg/g)].map((m) => m[1])).toEqual(names);
    expect(readdirSync(path.join(dir, "c.lab.figures")).sort()).toEqual([...names.map((n) => `${n}.svg`), "input.png", "segmentation.png"].sort());
    const specOf = (name: string) => {
      const m = html.match(new RegExp(`<script type="application/json" data-chart="${name}">([\\s\\S]*?)</script>`));
      return JSON.parse((m as RegExpMatchArray)[1].replace(/\\u003c/g, "<")) as { layer: { data: { values: Record<string, number>[] } }[] };
    };
    const { weights, means, covariances } = summary.model as Required<SegmentSummary["model"]>;
    for (const [j, name] of ["histogram-L", "histogram-a", "histogram-b"].entries()) {
      const rows = specOf(name).layer[1].data.values;
      expect(rows).toHaveLength(512);
      let worst = 0;
      for (const row of rows) {
        let mixture = 0;
        for (let k = 0; k < 3; k++) {
          // Marginal of a full-covariance component along channel j: N(mu_kj, Sigma_k[j][j]).
          const variance = covariances[9 * k + 4 * j];
          const z = row.x - means[3 * k + j];
          mixture += (weights[k] / Math.sqrt(2 * Math.PI * variance)) * Math.exp((-z * z) / (2 * variance));
        }
        if (mixture > 1e-300) worst = Math.max(worst, Math.abs(row.mixture - mixture) / mixture);
      }
      expect(worst).toBeLessThan(1e-12);
    }
    expect(html).toContain("Fitted parameters (full covariance)");
    expect(html).toContain("mean L*");
  });

  test("--color-space / --covariance usage errors exit 2 with one line", async () => {
    for (const args of [
      ["--color-space", "xyz"],
      ["--color-space", "rgb", "--covariance", "bogus"],
      ["--covariance", "full"],
      ["--color-space", "gray", "--covariance", "diag"],
      ["--color-space", "rgb", "--second-image", "b.png"],
      ["--color-space", "lab", "--second-image", "b.png"],
      ["--color-space", "lab", "--channel", "red"],
    ]) {
      const run = await segment(["segment", "c.png", ...args]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      oneLine(run.stderr);
    }
  });

  test("--version and --help", async () => {
    const run = await segment(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
    const help = await segment(["segment", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--subtraction-threshold <t>");
    expect(help.stdout).toContain("OpenCV's BGR");
    expect(help.stdout).toContain("--color-space <space>");
    expect(help.stdout).toContain("--covariance <type>");
  });

  test("--quiet prints nothing; several inputs with --out-dir write one set each", async () => {
    const run = await segment(["segment", "a.png", "b.png", "--iterations", "3", "--out-dir", "out", "--labels", "--quiet"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    for (const stem of ["a", "b"]) {
      for (const suffix of ["segmentation.png", "labels.png", "json"]) {
        expect(existsSync(path.join(dir, "out", `${stem}.${suffix}`))).toBe(true);
      }
      const summary = JSON.parse(readFileSync(path.join(dir, "out", `${stem}.json`), "utf8")) as SegmentSummary;
      expect(summary.input).toBe(`${stem}.png`);
      expect(summary.iterations).toBe(3);
    }
    const verbose = await segment(["segment", "a.png", "b.png", "--iterations", "3", "--out-dir", "out2"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toContain("[1/2] a.png");
    expect(verbose.stdout).toContain("[2/2] b.png");
    // One failure among several: the others still run, exit 1.
    const mixed = await segment(["segment", "nope.png", "b.png", "--iterations", "2", "--out-dir", "out3", "--quiet"]);
    expect(mixed.code).toBe(1);
    expect(existsSync(path.join(dir, "out3", "b.segmentation.png"))).toBe(true);
  });
});

describe("output planning (flag parsing, including --report and --figures)", () => {
  const base = { components: 3, iterations: 8, visualization: 0, postprocess: true };
  test("one input: given names as is, bare flags <name>.<kind>, figures in <out>/figures", () => {
    expect(planOutputs(["img/x.png"], { ...base })).toEqual([{ output: "x.segmentation.png" }]);
    expect(planOutputs(["x.png"], { ...base, output: "s.png", report: true, json: true })).toEqual([
      { output: "s.png", report: "x.report.html", json: "x.json" },
    ]);
    expect(planOutputs(["x.png"], { ...base, visualization: 1 })).toEqual([{ figures: "figures" }]);
    expect(planOutputs(["x.png"], { ...base, visualization: 1, figures: "figs" })).toEqual([{ figures: "figs" }]);
    expect(planOutputs(["x.png"], { ...base, outDir: "o", report: "r.html" })).toEqual([
      { output: path.join("o", "x.segmentation.png"), json: path.join("o", "x.json"), report: path.resolve("o", "r.html") },
    ]);
    expect(planOutputs(["x.png"], { ...base, outDir: "o" })).toEqual([{ output: path.join("o", "x.segmentation.png"), json: path.join("o", "x.json") }]);
  });

  test("several inputs: one set each, no file names, no name clashes", () => {
    expect(planOutputs(["a.png", "d/b.jpg"], { ...base, outDir: "o", report: true, visualization: 1 })).toEqual(
      ["a", "b"].map((stem) => ({
        output: path.join("o", `${stem}.segmentation.png`),
        json: path.join("o", `${stem}.json`),
        report: path.join("o", `${stem}.report.html`),
        figures: path.join("o", "figures", stem),
      })),
    );
    expect(() => planOutputs(["a.png", "b.png"], { ...base, report: "r.html" })).toThrow("takes no file name");
    expect(() => planOutputs(["a.png", "d/a.jpg"], { ...base })).toThrow("share the name");
  });
});

describe("fastkernels segment --report / --figures (the report module, end to end)", () => {
  const normal = (x: number, w: number, mu: number, sigma: number) =>
    (w / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - mu) / sigma) ** 2);

  test("one self-contained HTML file with the three charts; the mixture curve is the fitted model; the figures as files", async () => {
    const run = await segment(["segment", "a.png", "--components", "3", "--iterations", "8", "--output", "r-seg.png", "--json", "r-fit.json", "--report", "r.html", "--figures", "r-figures", "--quiet"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const html = readFileSync(path.join(dir, "r.html"), "utf8");
    const summary = JSON.parse(readFileSync(path.join(dir, "r-fit.json"), "utf8")) as SegmentSummary;
    // Offline: nothing fetched (only SVG namespace URIs), images inlined.
    expect(html.replace(/xmlns(:\w+)?="http[^"]*"/g, "")).not.toMatch(/https?:\/\//);
    expect(html.match(/<svg\b/g)).toHaveLength(3);
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(2);
    const spec = JSON.parse(html.match(/<script type="application\/json" data-chart="histogram">([\s\S]*?)<\/script>/)![1]);
    const rows = (spec.layer as { data: { values: Record<string, number>[] } }[])[1].data.values;
    const { weights, means, stdevs } = summary.model;
    for (const row of rows) {
      const expected = weights.reduce((sum, w, k) => sum + normal(row.x, w, means[k], stdevs[k]), 0);
      expect(Math.abs(row.mixture - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
    }
    const figures = ["histogram.svg", "log-likelihood.svg", "posterior.svg", "input.png", "segmentation.png"];
    for (const file of figures) expect(existsSync(path.join(dir, "r-figures", file))).toBe(true);
  });
});

test("several images with --report <file>: one report with a section per image", async () => {
  const run = await segment(["segment", "a.png", "b.png", "--components", "3", "--iterations", "3", "--report", "both.html", "--quiet"]);
  expect(run.code).toBe(0);
  const html = readFileSync(path.join(dir, "both.html"), "utf8");
  expect(html.match(/<section class="segment" id="section-\d"/g)).toHaveLength(2);
  expect(html.match(/<svg\b/g)).toHaveLength(6);
});
