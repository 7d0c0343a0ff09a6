/**
 * The report's three charts as vega-lite specs, rendered to static SVG by
 * vega's headless View (renderer "none": no canvas, no DOM, text widths
 * estimated). vega and vega-lite are ES modules and are loaded only when a
 * chart is rendered, through a real dynamic `import()` (kept as such in the
 * CommonJS build by `module: node16`), so loading fastkernels never loads
 * them. They are dependencies of the package (the `segment` command's
 * report needs them from a registry install); should they be missing,
 * rendering rejects with an error that says what to install.
 */
import type { ReportSection } from "./types";
import { channelAxes, channelHistogram, histogramDensity, marginalCurves, mixtureCurves, posteriorCurves } from "./density";

/** A vega-lite spec (kept loose here so that the types of the ES-module-only vega-lite are needed only when it loads). */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  /**
   * File stem and `data-chart` name: "histogram", "log-likelihood" and
   * "posterior" for a 1-D fit; "histogram-<channel>" (R, G, B or L, a, b),
   * "log-likelihood" and "weights" for a colour (rgb / lab) fit.
   */
  name: string;
  /** The vega-lite spec the SVG is rendered from; its data is inline (`data.values`). */
  spec: ChartSpec;
}

const WIDTH = 520;
const HEIGHT = 220;
/** vega's category10, so that component k has the same colour in every chart. */
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const MIXTURE_COLOR = "#000000";
/** Generic family only: the SVG looks the same wherever it is opened, and no font is fetched. */
const CONFIG = {
  font: "sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: "#ddd" },
  legend: { orient: "right" },
};

export const componentName = (k: number): string => `component ${k}`;
export const MIXTURE = "mixture";

/** The colour of component k in every chart and in the parameter table. */
export const componentColor = (k: number): string => COLORS[k % COLORS.length];

function componentColors(k: number): string[] {
  return Array.from({ length: k }, (_, c) => componentColor(c));
}

/** JSON turns NaN and ±Infinity into null, which vega-lite drops; do it explicitly so the spec is plain data. */
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

interface Curves {
  x: number[];
  components: number[][];
  mixture: number[];
}

/** Histogram density of the samples with each weighted component density and the mixture over it. */
export function histogramChart(section: ReportSection, points = 512): Chart {
  const hist = histogramDensity(section.data);
  const curves = mixtureCurves(section.summary.model, points);
  return densityChart("histogram", "Intensity histogram and fitted mixture", "intensity", [0, 1], hist, curves);
}

/**
 * One channel of a colour fit: the channel's histogram with the marginal of
 * every weighted component and of the mixture (exact: a Gaussian mixture's
 * marginal is the mixture of the components' marginals).
 */
export function channelChart(section: ReportSection, j: number, points = 512): Chart {
  const { summary } = section;
  const axis = channelAxes(summary.colorSpace as "rgb" | "lab", section.data, summary.model)[j];
  const hist = channelHistogram(section.data, j, axis.domain);
  const curves = marginalCurves(summary.model, j, axis.domain, points);
  const stem = axis.name.replace("*", "");
  return densityChart(`histogram-${stem}`, `${axis.name} histogram and the fitted mixture's marginal`, axis.title, axis.domain, hist, curves);
}

function densityChart(
  name: string,
  title: string,
  xTitle: string,
  domain: [number, number],
  hist: { x0: number[]; x1: number[]; density: number[] },
  curves: Curves,
): Chart {
  const names = curves.components.map((_, c) => componentName(c));
  const bars = hist.density.map((d, b) => ({ x0: hist.x0[b], x1: hist.x1[b], density: d }));
  const rows = curves.x.map((x, i) => {
    const row: Record<string, number | null> = { x };
    names.forEach((name, c) => (row[name] = finiteOrNull(curves.components[c][i])));
    row[MIXTURE] = finiteOrNull(curves.mixture[i]);
    return row;
  });
  const x = { field: "x", type: "quantitative", title: xTitle, scale: { domain, nice: false } };
  return {
    name,
    spec: {
      title: { text: title, anchor: "start" },
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      layer: [
        {
          data: { values: bars },
          mark: { type: "rect", color: "#c8ced6" },
          encoding: {
            x: { ...x, field: "x0" },
            x2: { field: "x1" },
            y: { field: "density", type: "quantitative", title: "density" },
          },
        },
        {
          data: { values: rows },
          transform: [{ fold: [...names, MIXTURE], as: ["curve", "density"] }],
          mark: { type: "line", strokeWidth: 2, interpolate: "linear" },
          encoding: {
            x,
            y: { field: "density", type: "quantitative" },
            color: {
              field: "curve",
              type: "nominal",
              title: null,
              scale: { domain: [...names, MIXTURE], range: [...componentColors(names.length), MIXTURE_COLOR] },
            },
            // Where the components are apart the mixture lies on them: dash it so both stay visible.
            strokeDash: {
              field: "curve",
              type: "nominal",
              title: null,
              scale: { domain: [...names, MIXTURE], range: [...names.map(() => [1, 0]), [5, 3]] },
            },
          },
        },
      ],
    },
  };
}

/** The EM log-likelihood after each iteration. */
export function logLikelihoodChart(section: ReportSection): Chart {
  const rows = section.summary.logLikelihoods.map((v, i) => ({ iteration: i + 1, logLikelihood: finiteOrNull(v) }));
  return {
    name: "log-likelihood",
    spec: {
      title: { text: "Log-likelihood per iteration", anchor: "start" },
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      data: { values: rows },
      mark: { type: "line", color: MIXTURE_COLOR, point: { filled: true, color: MIXTURE_COLOR } },
      encoding: {
        x: { field: "iteration", type: "quantitative", title: "iteration", axis: { tickMinStep: 1, format: "d" } },
        y: { field: "logLikelihood", type: "quantitative", title: "log-likelihood", scale: { zero: false } },
      },
    },
  };
}

/** The posterior p(k | x) of each component over the intensity range, stacked (they sum to 1). */
export function posteriorChart(section: ReportSection, points = 512): Chart {
  const curves = posteriorCurves(section.summary.model, points);
  const names = curves.posteriors.map((_, c) => componentName(c));
  const rows = curves.x.map((x, i) => {
    const row: Record<string, number | null> = { x };
    names.forEach((name, c) => (row[name] = finiteOrNull(curves.posteriors[c][i])));
    return row;
  });
  return {
    name: "posterior",
    spec: {
      title: { text: "Posterior p(k | x) per intensity", anchor: "start" },
      width: WIDTH,
      height: Math.round(HEIGHT / 2),
      config: CONFIG,
      data: { values: rows },
      transform: [{ fold: names, as: ["curve", "posterior"] }],
      mark: { type: "area", interpolate: "linear" },
      encoding: {
        x: { field: "x", type: "quantitative", title: "intensity", scale: { domain: [0, 1], nice: false } },
        y: { field: "posterior", type: "quantitative", title: "p(k | x)", stack: "zero", scale: { domain: [0, 1] } },
        color: { field: "curve", type: "nominal", title: null, scale: { domain: names, range: componentColors(names.length) } },
        order: { field: "curve", sort: "ascending" },
      },
    },
  };
}

/** The mixture weights of a colour fit, each bar in its component's mean colour. */
export function weightsChart(section: ReportSection): Chart {
  const { model } = section.summary;
  const colors = model.colors ?? [];
  const rows = model.weights.map((w, k) => ({
    component: componentName(k),
    weight: w,
    color: `rgb(${colors[3 * k]}, ${colors[3 * k + 1]}, ${colors[3 * k + 2]})`,
  }));
  return {
    name: "weights",
    spec: {
      title: { text: "Mixture weights (bars in each component's mean colour)", anchor: "start" },
      width: WIDTH,
      height: Math.round(HEIGHT / 2),
      config: CONFIG,
      data: { values: rows },
      mark: { type: "bar", stroke: "#5a6572", strokeWidth: 0.5 },
      encoding: {
        y: { field: "component", type: "nominal", title: null, sort: null },
        x: { field: "weight", type: "quantitative", title: "weight" },
        color: { field: "color", type: "nominal", scale: null, legend: null },
      },
    },
  };
}

/** Whether a section is a colour (rgb / lab, d = 3) fit. */
export const isColourSection = (section: ReportSection): boolean => section.summary.colorSpace === "rgb" || section.summary.colorSpace === "lab";

/**
 * The charts of a section, in report order: 1-D fits: histogram,
 * log-likelihood, posterior; colour fits: one histogram per channel,
 * log-likelihood, weights.
 */
export function sectionCharts(section: ReportSection): Chart[] {
  if (isColourSection(section)) {
    return [channelChart(section, 0), channelChart(section, 1), channelChart(section, 2), logLikelihoodChart(section), weightsChart(section)];
  }
  return [histogramChart(section), logLikelihoodChart(section), posteriorChart(section)];
}

interface Renderer {
  vega: typeof import("vega", { with: { "resolution-mode": "import" } });
  vegaLite: typeof import("vega-lite", { with: { "resolution-mode": "import" } });
}

let renderer: Promise<Renderer> | undefined;

/** The pinned renderer packages, as the missing-renderer message names them. */
export const RENDERER_PACKAGES = "vega@6.4.0 vega-lite@6.4.3";

/** Loads vega and vega-lite once, on first use. */
function loadRenderer(): Promise<Renderer> {
  renderer ??= Promise.all([import("vega"), import("vega-lite")]).then(
    ([vega, vegaLite]) => ({ vega, vegaLite }),
    (error: Error) => {
      throw new Error(`the segmentation report's charts need vega and vega-lite (npm install ${RENDERER_PACKAGES}): ${error.message}`, { cause: error });
    },
  );
  // A failed load is not cached, so that a later call reports the cause again.
  renderer.catch(() => (renderer = undefined));
  return renderer;
}

/** Compiles a vega-lite spec and renders it to a standalone SVG string. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await loadRenderer();
  // Warnings (e.g. about dropped null points) are not the reader's concern; errors still throw.
  const logger = vega.logger(vega.Error);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0], { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
