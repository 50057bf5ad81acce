// Path validation: what a namenode accepts, normalises, and refuses before any lookup.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DfsError } from '../../protocol/errors.js';
import { baseName, isSameOrDescendant, joinPath, normalizePath, parentPath, pathComponents } from '../../protocol/paths.js';

function refused(path: unknown, pattern: RegExp): void {
  assert.throws(() => normalizePath(path), (error: unknown) => {
    assert.ok(error instanceof DfsError);
    assert.equal(error.code, 'InvalidPath');
    assert.match(error.message, pattern);
    return true;
  });
}

test('absolute paths are normalised: trailing slash dropped, root kept', () => {
  assert.equal(normalizePath('/'), '/');
  assert.equal(normalizePath('/a/b/'), '/a/b');
  assert.equal(normalizePath('/a/ü/c d'), '/a/ü/c d');
});

test('relative, empty, dot-dot, dot, NUL and empty components are refused with the reason', () => {
  refused('a/b', /not absolute/);
  refused('', /empty/);
  refused('/a/../b', /may not contain ".."/);
  refused('/a/./b', /may not contain "."/);
  refused('/a/\0b', /NUL/);
  refused('/a//b', /empty component/);
  refused(42, /must be a string/);
});

test('a component over 255 bytes and an over-long path are refused', () => {
  refused(`/${'x'.repeat(256)}`, /longer than 255 bytes/);
  assert.equal(normalizePath(`/${'x'.repeat(255)}`).length, 256);
  refused(`/${'é'.repeat(128)}`, /longer than 255 bytes/); // 256 bytes in UTF-8
  refused(`/${'a/'.repeat(5000)}a`, /longer than/);
});

test('path helpers agree with each other', () => {
  assert.deepEqual(pathComponents('/'), []);
  assert.deepEqual(pathComponents('/a/b'), ['a', 'b']);
  assert.equal(parentPath('/a/b'), '/a');
  assert.equal(parentPath('/a'), '/');
  assert.equal(baseName('/a/b'), 'b');
  assert.equal(joinPath('/', 'a'), '/a');
  assert.equal(joinPath('/a', 'b'), '/a/b');
  assert.ok(isSameOrDescendant('/a', '/a/b'));
  assert.ok(isSameOrDescendant('/a', '/a'));
  assert.ok(!isSameOrDescendant('/a', '/ab'));
  assert.ok(isSameOrDescendant('/', '/anything'));
});
