/**
 * Small HTML helpers for the report: escaping text and attribute values,
 * embedding JSON and PNG bytes, formatting numbers for tables.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is
 * written as `\u003c`, so the text can never close the element, and JSON.parse
 * of the element's text gives the value back.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Throws unless `bytes` starts with the PNG signature (a mislabelled image would show as a broken picture). */
export function checkPng(bytes: Buffer, what: string): void {
  if (!Buffer.isBuffer(bytes) || bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new TypeError(`${what} must be PNG bytes (a Buffer starting with the PNG signature)`);
  }
}

/** A `data:image/png;base64,...` URL of PNG bytes. */
export function pngDataUrl(bytes: Buffer, what: string): string {
  checkPng(bytes, what);
  return `data:image/png;base64,${bytes.toString("base64")}`;
}

/** A number for a table cell: 6 significant digits, exponent only when very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e-4 && a < 1e7 ? String(Number(v.toPrecision(6))) : v.toExponential(4);
}

/** Milliseconds for the timings table. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(1) : String(ms);
}
