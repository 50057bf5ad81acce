// Generic mutators for the fuzz tests: start from a valid value and break it the ways a
// careless or hostile client would — wrong types, missing and extra keys, numbers at the
// edges, odd strings and paths — and then break its JSON text as well.
import type { Random } from './random.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const edgeNumbers = [-1, 0, 1, 0.5, -0.5, 1e-9, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 1e308, -1e308, Number.MIN_VALUE];
const oddStrings = ['', ' ', '\0', 'a\0b', '\u202e', '\ud800', '\uffff', 'é', '🐘', '\r\n', '%00', '%2e%2e', '${x}', '<script>', '\\', '"', "'", '/', '.', '..', 'null', 'NaN', '-1', '1e3'];

/** Paths that are hostile, malformed or just unusual; some of them are legal. */
export function randomPath(random: Random, near: readonly string[]): string {
  const base = random.pick(near);
  switch (random.int(0, 17)) {
    case 0: return `${base}/..`;
    case 1: return `${base}/../${random.text(3)}`;
    case 2: return `${base}\0${random.text(2)}`;
    case 3: return base.replace('/', '//');
    case 4: return base.slice(1); // relative
    case 5: return `${base}/${'a'.repeat(random.pick([255, 256, 300]))}`;
    case 6: return `${base}/${'é'.repeat(random.pick([127, 128, 150]))}`;
    case 7: return `${base}/.`;
    case 8: return `${base}/${random.pick(oddStrings)}`;
    case 9: return `/${'d/'.repeat(random.int(900, 1100))}x`;
    case 10: return `/${'x'.repeat(random.pick([7999, 8001, 16_385]))}`;
    case 11: return '';
    case 12: return '/';
    case 13: return `${base}/`;
    case 14: return `tsdfs://127.0.0.1:1${base}`;
    case 15: return `${base}/${random.text(random.int(1, 12), 'ab/.\0é ')}`;
    default: return `${base}/${random.text(random.int(1, 8))}`;
  }
}

/** Any JSON value at all, sometimes large or deep. */
export function randomJson(random: Random, depth = 0): Json {
  switch (random.int(0, depth > 2 ? 4 : 7)) {
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.chance(0.5) ? random.pick(edgeNumbers) : random.int(-1000, 1000);
    case 3: return random.chance(0.5) ? random.pick(oddStrings) : random.text(random.pick([1, 10, 300, 20_000]));
    case 4: return random.int(0, 10);
    case 5: return Array.from({ length: random.int(0, 4) }, () => randomJson(random, depth + 1));
    case 6: return Object.fromEntries(Array.from({ length: random.int(0, 3) }, () => [random.pick(['path', 'id', 'x', '__proto__', 'constructor']), randomJson(random, depth + 1)]));
    default: return Array.from({ length: random.pick([1001, 5000]) }, () => 'x');
  }
}

/** One mutation of `value`; `pathLike` keys get hostile paths, `paths` seeds them. */
export function mutateValue(random: Random, value: Json, key: string, paths: readonly string[]): Json {
  if (['path', 'src', 'dst'].includes(key) && random.chance(0.6)) return randomPath(random, paths);
  if (typeof value === 'number' && random.chance(0.6)) return random.pick([...edgeNumbers, -value, value + 0.5, value * 1e6]);
  if (typeof value === 'string' && random.chance(0.5)) return random.pick([`${value}${random.pick(oddStrings)}`, value.repeat(random.int(2, 300)), random.pick(oddStrings)]);
  if (Array.isArray(value) && value.length > 0 && random.chance(0.5)) {
    const index = random.int(0, value.length - 1);
    return value.map((item, i) => (i === index ? mutateValue(random, item, key, paths) : item));
  }
  if (isObject(value) && random.chance(0.7)) return mutateObject(random, value, paths);
  return randomJson(random);
}

/** Drops, adds or changes one key (sometimes several), recursing into nested objects. */
export function mutateObject(random: Random, value: { [key: string]: Json }, paths: readonly string[]): { [key: string]: Json } {
  const out = { ...value };
  const keys = Object.keys(out);
  for (let n = random.int(1, 3); n > 0; n--) {
    const choice = random.int(0, 9);
    const key = keys.length > 0 ? random.pick(keys) : undefined;
    if (choice === 0 && key !== undefined) delete out[key];
    else if (choice === 1) out[random.pick(['bogus', 'recursiv', 'PATH', 'user', 'superuser', 'admin', 'toString', random.text(5)])] = randomJson(random);
    else if (key !== undefined) out[key] = mutateValue(random, out[key] ?? null, key, paths);
  }
  return out;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON text of `value`, usually intact, sometimes broken the ways parsers trip on. */
export function serialize(random: Random, value: Json, maxBodyBytes: number): string | Buffer {
  const text = JSON.stringify(value);
  switch (random.int(0, 24)) {
    case 0: return text.slice(0, random.int(0, Math.max(0, text.length - 1))); // truncated
    case 1: return random.bytes(random.int(0, 2000)); // random bytes
    case 2: return `${'['.repeat(random.pick([100, 5000, 60_000]))}${random.chance(0.5) ? ']'.repeat(100) : ''}`; // deep
    case 3: return `{"x":${'{"y":'.repeat(random.int(500, 3000))}1${'}'.repeat(random.int(0, 3000))}}`;
    case 4: return text.replace(/:(-?\d+(\.\d+)?)/, `:${random.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '01', '1.', '.5', '+1'])}`);
    case 5: return isObject(value) && Object.keys(value).length > 0 ? duplicateKey(random, value, text) : text;
    case 6: return random.chance(0.3) ? `{"path":"/${'a'.repeat(maxBodyBytes)}"}` : text; // over the body limit
    case 7: return '';
    case 8: return `${text}${random.pick([',', '}', ' {"a":1}', '\0', '\n\n\n'])}`;
    case 9: return text.replace(/"/, "'");
    default: return text;
  }
}

/** The first key again, with another value, before the rest: which one wins must not matter. */
function duplicateKey(random: Random, value: { [key: string]: Json }, text: string): string {
  const key = random.pick(Object.keys(value));
  return `{${JSON.stringify(key)}:${JSON.stringify(randomJson(random))},${text.slice(1)}`;
}
