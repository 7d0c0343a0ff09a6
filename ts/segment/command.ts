/**
 * The `fastkernels segment` command: the original program's command line
 * (`--first-image`, `--second-image`, `--components`, `--iterations`,
 * `--subtraction-threshold`, `--visualization`, `--precompiled-num-threads`)
 * plus outputs, several inputs and a per-phase timing table. Every image goes
 * through `segmentImage`, one after another.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";

import cliProgress from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";

import { MAX_THREADS } from "../threads";
import type { ProgressEvent } from "../threads";
import { IMAGE_CHANNELS } from "./image";
import { COLOR_SPACES, COMPONENTS_MESSAGE, COVARIANCE_TYPES, segmentImage } from "./segment";
import type { CovarianceType } from "../gmm/multivariate/types";
import type { ImageChannel, ReportSection, SegmentColorSpace, SegmentOptions, SegmentSummary } from "./types";

/** A problem with the command line: exit code 2. */
export class UsageError extends Error {}

/** A progress bar appears only for work that takes longer than this. */
const PROGRESS_BAR_AFTER_MS = 1000;

function integer(min: number, max: number, message?: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      if (message && /^\s*\d+\s*$/.test(text) && value < min) throw new InvalidArgumentError(message);
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

function real(min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min) {
      throw new InvalidArgumentError(`expected a number${min === -Infinity ? "" : ` >= ${min}`}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

interface CliOptions {
  firstImage?: string;
  secondImage?: string;
  components: number;
  iterations: number;
  tol?: number;
  threads?: number;
  precompiledNumThreads?: number;
  channel?: ImageChannel;
  colorSpace?: SegmentColorSpace;
  covariance?: CovarianceType;
  subtractionThreshold?: number;
  visualization: number;
  output?: string | true;
  labels?: string | true;
  json?: string | true;
  report?: string | true;
  figures?: string | true;
  outDir?: string;
  postprocess: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Set by the action so the top-level handler knows whether to print stacks. */
export const segmentState = { debug: false };

type FileFlag = "output" | "labels" | "json" | "report" | "figures";
const SUFFIX: Record<FileFlag, string> = {
  output: "segmentation.png",
  labels: "labels.png",
  json: "json",
  report: "report.html",
  figures: "figures",
};

function stemOf(file: string): string {
  const base = path.basename(file);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/** Which files each input writes. */
export function planOutputs(inputs: string[], opts: CliOptions): Pick<SegmentOptions, FileFlag>[] {
  const several = inputs.length > 1;
  const dir = opts.outDir ?? ".";
  const flags: Partial<Record<FileFlag, string | true>> = {
    output: opts.output,
    labels: opts.labels,
    json: opts.json,
    report: opts.report,
    figures: opts.figures,
  };
  if (opts.visualization === 1 && flags.figures === undefined) flags.figures = true;
  if (opts.outDir !== undefined) {
    // One full set per image: the segmentation and the JSON always.
    flags.output ??= true;
    flags.json ??= true;
  } else if (Object.values(flags).every((v) => v === undefined)) {
    flags.output = true;
  }
  for (const [flag, value] of Object.entries(flags)) {
    if (several && typeof value === "string") {
      throw new UsageError(`with several images --${flag} takes no file name: each image writes <name>.${SUFFIX[flag as FileFlag]} into --out-dir`);
    }
  }
  const stems = inputs.map(stemOf);
  const seen = new Set<string>();
  for (const stem of stems) {
    if (seen.has(stem)) throw new UsageError(`two inputs share the name ${JSON.stringify(stem)}: their outputs would overwrite each other`);
    seen.add(stem);
  }
  return stems.map((stem) => {
    const plan: Pick<SegmentOptions, FileFlag> = {};
    for (const [flag, value] of Object.entries(flags) as [FileFlag, string | true | undefined][]) {
      if (value === undefined) continue;
      if (typeof value === "string") plan[flag] = opts.outDir === undefined ? value : path.resolve(opts.outDir, value);
      else if (flag === "figures") plan[flag] = several ? path.join(dir, "figures", stem) : path.join(dir, "figures");
      else plan[flag] = path.join(dir, `${stem}.${SUFFIX[flag]}`);
    }
    return plan;
  });
}

function fixed(value: number, digits: number, width: number): string {
  return value.toFixed(digits).padStart(width);
}

function printModel(summary: SegmentSummary, log: (line: string) => void): void {
  const { means, stdevs, weights, dims, colors } = summary.model;
  if (dims !== undefined && dims > 1) {
    const names = summary.colorSpace === "lab" ? ["L", "a", "b"] : ["R", "G", "B"];
    log(`    k      weight  mean ${names.map((n) => n.padStart(10)).join(" ")}  colour`);
    for (let k = 0; k < weights.length; k++) {
      const mean = means.slice(k * dims, (k + 1) * dims).map((m) => fixed(m, 5, 10)).join(" ");
      const hex = colors ? `#${colors.slice(3 * k, 3 * k + 3).map((c) => c.toString(16).padStart(2, "0")).join("")}` : "";
      log(`  ${String(k).padStart(3)} ${fixed(weights[k], 6, 11)}       ${mean}  ${hex}`);
    }
    return;
  }
  log("    k        mean       stdev      weight");
  for (let k = 0; k < means.length; k++) {
    log(`  ${String(k).padStart(3)} ${fixed(means[k], 6, 11)} ${fixed(stdevs[k], 6, 11)} ${fixed(weights[k], 6, 11)}`);
  }
}

function printTimings(summary: SegmentSummary, log: (line: string) => void): void {
  const rows = Object.entries(summary.timings) as [string, number][];
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  log("  phase            ms");
  for (const [phase, ms] of [...rows, ["total", total] as [string, number]]) log(`  ${phase.padEnd(11)} ${fixed(ms, 1, 9)}`);
}

/** One line per EM iteration, and a progress bar on a TTY for runs over ~1 s. */
class IterationPrinter {
  private last: number | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private multibar: cliProgress.MultiBar | null = null;
  private timer: NodeJS.Timeout | null = null;
  private done = 0;
  private readonly start = performance.now();

  constructor(
    private readonly total: number,
    private readonly quiet: boolean,
    private readonly log: (line: string) => void,
  ) {
    if (!quiet && process.stdout.isTTY && process.stderr.isTTY) {
      this.timer = setTimeout(() => this.showBar(), PROGRESS_BAR_AFTER_MS);
    }
  }

  private showBar(): void {
    this.timer = null;
    this.multibar = new cliProgress.MultiBar(
      { stream: process.stderr, clearOnComplete: true, hideCursor: true, format: "  EM [{bar}] {value}/{total} iterations | {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.multibar.create(this.total, this.done);
  }

  readonly onIteration = (event: ProgressEvent): void => {
    this.done = event.done;
    const ll = event.logLikelihood;
    const change = this.last === null ? "" : (ll - this.last).toExponential(3);
    this.last = ll;
    if (this.quiet) return;
    const elapsed = (performance.now() - this.start).toFixed(1);
    const line =
      `  iteration ${String(event.done).padStart(String(event.total).length)}/${event.total}` +
      `  log-likelihood ${ll.toPrecision(12)}  change ${change.padStart(10)}  elapsed ${elapsed} ms`;
    if (this.multibar && this.bar) {
      this.multibar.log(`${line}\n`);
      this.bar.update(event.done);
      if (event.done >= event.total) this.finish();
    } else {
      this.log(line);
    }
  };

  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.multibar?.stop();
    this.multibar = null;
    this.bar = null;
  }
}

function resolveThreads(opts: CliOptions): number | undefined {
  const { threads, precompiledNumThreads } = opts;
  if (threads !== undefined && precompiledNumThreads !== undefined && threads !== precompiledNumThreads) {
    throw new UsageError(`--threads ${threads} and --precompiled-num-threads ${precompiledNumThreads} disagree (they are the same setting)`);
  }
  return threads ?? precompiledNumThreads;
}

async function runSegment(images: string[], opts: CliOptions): Promise<void> {
  segmentState.debug = Boolean(opts.debug);
  const quiet = Boolean(opts.quiet);
  const log = quiet ? () => {} : (line: string) => console.log(line);

  if (opts.firstImage !== undefined && images.length > 0) {
    throw new UsageError("give the image either as an argument or with --first-image, not both");
  }
  const inputs = opts.firstImage !== undefined ? [opts.firstImage] : images;
  if (inputs.length === 0) throw new UsageError("no image given (fastkernels segment <image> or --first-image <path>)");
  if (opts.secondImage !== undefined && inputs.length > 1) {
    throw new UsageError("--second-image works with one first image, got several inputs");
  }
  if (opts.secondImage !== undefined && opts.channel !== undefined) {
    throw new UsageError("--channel applies to one-image mode; with --second-image the CIE94 colour difference is segmented");
  }
  const colour = opts.colorSpace !== undefined && opts.colorSpace !== "gray";
  if (colour && opts.secondImage !== undefined) {
    throw new UsageError(`--color-space ${opts.colorSpace} works in one-image mode; with --second-image the CIE94 difference is segmented (--color-space gray)`);
  }
  if (colour && opts.channel !== undefined) {
    throw new UsageError(`--channel picks the plane of --color-space gray; --color-space ${opts.colorSpace} fits all three channels`);
  }
  if (!colour && opts.covariance !== undefined) {
    throw new UsageError("--covariance applies to --color-space rgb or lab (the gray fit is one-dimensional)");
  }
  const threads = resolveThreads(opts);
  let subtractionThreshold = opts.subtractionThreshold;
  if (subtractionThreshold !== undefined && (opts.secondImage === undefined || opts.components !== 2)) {
    // The original ignores the threshold here; so do we, but say so.
    console.error("fastkernels segment: --subtraction-threshold ignored: it applies only with --second-image and --components 2");
    subtractionThreshold = undefined;
  }
  // Several images and `--report <file>` without --out-dir: one report with
  // a section per image (with --out-dir: one report per image).
  const combinedReport = inputs.length > 1 && typeof opts.report === "string" && opts.outDir === undefined ? opts.report : undefined;
  const plans = planOutputs(inputs, combinedReport === undefined ? opts : { ...opts, report: undefined });
  const sections: ReportSection[] = [];

  let failures = 0;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const pair = opts.secondImage === undefined ? "" : ` - ${opts.secondImage} (CIE94 difference)`;
    const plane = opts.secondImage !== undefined ? "" : colour ? `, ${opts.colorSpace} (${opts.covariance ?? "full"} covariance)` : `, ${opts.channel ?? "blue"} plane`;
    log(`${inputs.length > 1 ? `[${i + 1}/${inputs.length}] ` : ""}${input}${pair}${plane}: K = ${opts.components}, ${opts.iterations} EM iterations`);
    const printer = new IterationPrinter(opts.iterations, quiet, log);
    try {
      const summary = await segmentImage(input, {
        components: opts.components,
        iterations: opts.iterations,
        ...(opts.tol === undefined ? {} : { tol: opts.tol }),
        ...(threads === undefined ? {} : { threads }),
        ...(opts.channel === undefined ? {} : { channel: opts.channel }),
        ...(colour ? { colorSpace: opts.colorSpace, covariance: opts.covariance ?? "full" } : {}),
        ...(opts.secondImage === undefined ? {} : { secondImage: opts.secondImage }),
        ...(subtractionThreshold === undefined ? {} : { subtractionThreshold }),
        ...plans[i],
        postprocess: opts.postprocess,
        onIteration: printer.onIteration,
        ...(combinedReport === undefined ? {} : { onReportSection: (section: ReportSection) => sections.push(section) }),
      });
      printer.finish();
      log(`  ${summary.width} x ${summary.height} pixels, ${summary.iterations} iterations${summary.converged ? " (converged)" : ""}`);
      printModel(summary, log);
      printTimings(summary, log);
      const written = Object.values(summary.outputs);
      if (written.length) log(`  wrote ${written.join(", ")}`);
    } catch (error) {
      printer.finish();
      if (inputs.length === 1) throw error;
      failures++;
      reportError(error);
    }
  }
  if (combinedReport !== undefined && sections.length > 0) {
    const { renderReportHtml } = await import("./report.js");
    await writeFile(combinedReport, await renderReportHtml(sections, { title: `fastkernels segment: ${sections.length} images` }));
    log(`wrote ${combinedReport} (${sections.length} sections)`);
  }
  if (failures) {
    console.error(`fastkernels segment: ${failures} of ${inputs.length} images failed`);
    process.exitCode = 1;
  }
}

/** One line (a stack with --debug) for a failure. */
export function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`fastkernels segment: ${message.split("\n")[0]}`);
  if (segmentState.debug && error instanceof Error && error.stack) console.error(error.stack);
}

export function addSegmentCommand(program: Command): Command {
  const channel = new Option(
    "--channel <name>",
    "plane of a colour image: blue, green, red or luma (default blue, because the original reads OpenCV's BGR " +
      "first plane; luma = sharp's greyscale, Rec. 709 luminance on linear light)",
  ).choices(IMAGE_CHANNELS as string[]);
  const colorSpace = new Option(
    "--color-space <space>",
    "gray: one plane (--channel), the original's 1-D fit; rgb: the three channels as v/255; lab: CIE L*a*b* (D65) of the " +
      "sRGB pixels; rgb and lab are 3-D fits (k-means++ start, seed 0) and --output is then a colour image of the component means",
  )
    .choices(COLOR_SPACES as string[])
    .default("gray");
  const covariance = new Option("--covariance <type>", "covariance of the rgb/lab fit (default full)").choices(COVARIANCE_TYPES as string[]);
  return program
    .command("segment")
    .description(
      "Segment images with a Gaussian mixture (EM), like the original gmm_segmentation.py: each pixel becomes the " +
        "final mean of its most likely component, cleaned by a 5x5 opening and closing, written as an 8-bit PNG.",
    )
    .argument("[images...]", "images to segment, one after another (JPEG, PNG, WebP, TIFF, GIF)")
    .option("--first-image <path>", "the image to segment (the original's flag)")
    .option("--second-image <path>", "two-image mode: segment the CIE94 colour difference of the first image and this one")
    .option("--components <k>", `mixture components K (>= 2: "${COMPONENTS_MESSAGE}")`, integer(2, 255, COMPONENTS_MESSAGE), 3)
    .option("--iterations <n>", "EM iterations (all run unless --tol)", integer(1, 1_000_000), 8)
    .option("--tol <x>", "stop early when |change of log-likelihood| <= tol x pixels", real(0))
    .option("--threads <n>", "native threads; 0 = TypeScript reference (default every core)", integer(0, MAX_THREADS))
    .option("--precompiled-num-threads <n>", "alias of --threads (the original's flag; 0 = its numpy path)", integer(0, MAX_THREADS))
    .addOption(channel)
    .addOption(colorSpace)
    .addOption(covariance)
    .option("--subtraction-threshold <t>", "with --second-image and K = 2: raw ΔE94 <= t starts as background, > t as foreground (2.3 = just perceptible)", real(-Infinity))
    .option("--visualization <0|1>", "1 = write the figures (into --figures, or <out-dir>/figures)", integer(0, 1), 0)
    .option("--output [png]", "segmentation PNG, round(255 x mean) per pixel (default <name>.segmentation.png)")
    .option("--labels [png]", "label PNG, component index per pixel (default <name>.labels.png)")
    .option("--json [file]", "fit summary JSON: model, log-likelihoods, timings (default <name>.json)")
    .option("--report [html]", "HTML report (default <name>.report.html); with several images and a file name: one report, a section per image")
    .option("--figures [dir]", "folder for the figures (default <out-dir>/figures)")
    .option("--out-dir <dir>", "folder for the outputs; with several images one set per image, named after it (default: current folder)")
    .option("--no-postprocess", "skip the 5x5 opening and closing")
    .option("--quiet", "print nothing but errors")
    .option("--debug", "print stack traces with errors")
    .addHelpText(
      "after",
      "\nWithout an output flag the segmentation is written to <name>.segmentation.png; with --out-dir every image\n" +
        "writes <name>.segmentation.png and <name>.json there, plus the files of the flags given.\n" +
        "Exit codes: 0 success, 1 failure (unreadable image, fit error), 2 usage error.\n" +
        "Example (the original's command line): fastkernels segment --first-image a.png --components 3 --iterations 8",
    )
    .showHelpAfterError(false)
    .exitOverride()
    .action(async (images: string[], opts: CliOptions) => runSegment(images, opts));
}
