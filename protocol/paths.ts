// Path rules shared by client and namenode: absolute, normalised, bounded, and free of
// anything that could walk out of the namespace (`.`, `..`, NUL, empty components).
import { DfsError } from './errors.js';
import { maxPathBytes, maxPathComponentBytes, maxPathDepth } from './limits.js';

/**
 * UTF-8 takes at most 3 bytes per UTF-16 code unit, so only strings longer than a third of
 * a byte limit need their bytes counted (Buffer.byteLength is most of this function's cost).
 */
function utf8BytesOver(text: string, limitBytes: number): boolean {
  return text.length * 3 > limitBytes && Buffer.byteLength(text, 'utf8') > limitBytes;
}

/** Validates a path and returns its normalised form (no trailing slash except for `/`). */
export function normalizePath(path: unknown): string {
  if (typeof path !== 'string') throw new DfsError('InvalidPath', 'path must be a string');
  if (path.length === 0) throw new DfsError('InvalidPath', 'path is empty');
  if (!path.startsWith('/')) throw new DfsError('InvalidPath', `path is not absolute: ${JSON.stringify(path)}`);
  if (utf8BytesOver(path, maxPathBytes)) {
    throw new DfsError('InvalidPath', `path is longer than ${maxPathBytes} bytes`);
  }
  if (path.includes('\0')) throw new DfsError('InvalidPath', 'path contains a NUL character');
  if (path === '/') return '/';
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const components = trimmed.slice(1).split('/');
  if (components.length > maxPathDepth) throw new DfsError('InvalidPath', `path is deeper than ${maxPathDepth}`);
  for (const component of components) validateComponent(component, path);
  // `/` + the components joined by `/` is `trimmed` itself.
  return trimmed;
}

function validateComponent(component: string, path: string): void {
  if (component.length === 0) throw new DfsError('InvalidPath', `path has an empty component: ${JSON.stringify(path)}`);
  if (component === '.' || component === '..') {
    throw new DfsError('InvalidPath', `path may not contain "${component}": ${JSON.stringify(path)}`);
  }
  if (utf8BytesOver(component, maxPathComponentBytes)) {
    throw new DfsError('InvalidPath', `path component is longer than ${maxPathComponentBytes} bytes`);
  }
}

/** Components of a normalised path; `/` has none. */
export function pathComponents(normalized: string): string[] {
  return normalized === '/' ? [] : normalized.slice(1).split('/');
}

export function parentPath(normalized: string): string {
  const index = normalized.lastIndexOf('/');
  return index <= 0 ? '/' : normalized.slice(0, index);
}

export function baseName(normalized: string): string {
  return normalized.slice(normalized.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** True when `descendant` is `ancestor` or lies below it. */
export function isSameOrDescendant(ancestor: string, descendant: string): boolean {
  if (ancestor === '/') return true;
  return descendant === ancestor || descendant.startsWith(`${ancestor}/`);
}
