/**
 * Paths in jobs are relative to the worker's data root and must stay inside
 * it after `..` and symlinks are resolved: a job cannot read or write an
 * arbitrary file. Prefixes are compared on real paths (`realpath`), so a
 * symlink inside the root that points outside it is refused too.
 */
import { lstat, mkdir, realpath } from "node:fs/promises";
import path from "node:path";

/** A path a job named that the worker will not touch. */
export class DataRootError extends Error {
  override name = "DataRootError";
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function refuse(what: string, rel: string, why: string): never {
  throw new DataRootError(`${what} ${JSON.stringify(rel)} ${why}; job paths must stay inside the worker's data root (--data-root)`);
}

/** The root's real path (resolved once when the worker starts). */
export async function realDataRoot(root: string): Promise<string> {
  return realpath(path.resolve(root));
}

function lexical(realRoot: string, what: string, rel: string): string {
  if (path.isAbsolute(rel)) refuse(what, rel, "is absolute (outside the data root)");
  const joined = path.resolve(realRoot, rel);
  if (!inside(realRoot, joined)) refuse(what, rel, "is outside the data root");
  return joined;
}

/** An existing file or folder to read: its real path, inside the root. */
export async function resolveForRead(realRoot: string, what: string, rel: string): Promise<string> {
  const joined = lexical(realRoot, what, rel);
  let real: string;
  try {
    real = await realpath(joined);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${what} ${JSON.stringify(rel)} not found under the data root`);
    throw error;
  }
  if (!inside(realRoot, real)) refuse(what, rel, "resolves (through a symlink) outside the data root");
  return real;
}

/**
 * A file to write (it may not exist yet): its folder must resolve inside the
 * root, and an existing file there must not be a symlink leading out.
 */
export async function resolveForWrite(realRoot: string, what: string, rel: string): Promise<string> {
  const joined = lexical(realRoot, what, rel);
  if (joined === realRoot) return realRoot;
  const dir = await resolveForRead(realRoot, `${what}'s folder`, path.relative(realRoot, path.dirname(joined)) || ".");
  const target = path.join(dir, path.basename(joined));
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    const real = await realpath(target).catch(() => undefined);
    if (real === undefined || !inside(realRoot, real)) refuse(what, rel, "is a symlink leading outside the data root");
  }
  return target;
}

/** A folder to write into, created (one level) after its path was checked to stay inside the root. */
export async function ensureFolder(realRoot: string, what: string, rel: string): Promise<string> {
  const folder = await resolveForWrite(realRoot, what, rel);
  await mkdir(folder, { recursive: true });
  return resolveForRead(realRoot, what, rel);
}

/** The data-root-relative form of a real path inside the root (for results). */
export function relativeToRoot(realRoot: string, real: string): string {
  return path.relative(realRoot, real).split(path.sep).join("/");
}
