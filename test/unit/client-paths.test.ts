// Path resolution as users type paths: URIs, absolute, relative to the home directory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DfsError } from '../../protocol/errors.js';
import { homeDirectoryOf, namenodeHttpBase, resolveDfsPath } from '../../client-lib/paths.js';

const home = homeDirectoryOf('alice');

describe('resolveDfsPath', () => {
  it('puts relative paths under the home directory', () => {
    assert.equal(home, '/user/alice');
    assert.equal(resolveDfsPath('data/x.txt', home), '/user/alice/data/x.txt');
    assert.equal(resolveDfsPath('.', home), '/user/alice');
    assert.equal(resolveDfsPath('', home), '/user/alice');
  });

  it('resolves . and .. in relative paths as a shell would', () => {
    assert.equal(resolveDfsPath('./a/../b', home), '/user/alice/b');
    assert.equal(resolveDfsPath('..', home), '/user');
    assert.equal(resolveDfsPath('../../../..', home), '/');
  });

  it('strips scheme and authority from full URIs', () => {
    assert.equal(resolveDfsPath('tsdfs://nn:9870/x/y', home), '/x/y');
    assert.equal(resolveDfsPath('hdfs://nn:8020/x', home), '/x');
    assert.equal(resolveDfsPath('tsdfs://nn:9870', home), '/');
    assert.equal(resolveDfsPath('tsdfs://nn:9870/', home), '/');
  });

  it('normalises absolute paths and rejects unsafe ones', () => {
    assert.equal(resolveDfsPath('/a/b/', home), '/a/b');
    assert.throws(() => resolveDfsPath('/a/../b', home), (error: unknown) => error instanceof DfsError && error.code === 'InvalidPath');
    assert.throws(() => resolveDfsPath('/a//b', home), DfsError);
  });
});

describe('namenodeHttpBase', () => {
  it('accepts tsdfs, hdfs and http addresses', () => {
    assert.equal(namenodeHttpBase('tsdfs://127.0.0.1:9870'), 'http://127.0.0.1:9870');
    assert.equal(namenodeHttpBase('http://nn:1/'), 'http://nn:1');
    assert.equal(namenodeHttpBase('hdfs://nn:8020'), 'http://nn:8020');
  });

  it('refuses addresses without a port or with a path', () => {
    assert.equal(namenodeHttpBase('tsdfs://nn'), null);
    assert.equal(namenodeHttpBase('http://nn:1/x'), null);
  });
});
