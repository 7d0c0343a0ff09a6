/**
 * Placeholder for the HTML report and figures module (written on another
 * branch). The integrator replaces this file with the real one; its exports
 * keep the agreed signatures so `segment` compiles and loads it lazily.
 */
import type { ReportSection } from "./types";

export async function renderReportHtml(_sections: ReportSection[], _options?: { title?: string }): Promise<string> {
  throw new Error("report module not integrated yet");
}

export async function writeFigures(_section: ReportSection, _dir: string): Promise<string[]> {
  throw new Error("report module not integrated yet");
}
