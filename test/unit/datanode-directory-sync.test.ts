// The shared folder fsync of finalize: concurrent callers all get a durable folder, a folder
// that fails is reopened next time, and more folders than handles kept still work.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DirectorySync, maxOpenDirectoryHandles } from '../../datanode/storage/directory-sync.js';

const tempDirs: string[] = [];

after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-dir-sync-'));
  tempDirs.push(dir);
  return dir;
}

describe('DirectorySync', () => {
  it('resolves every one of many concurrent syncs of one folder, and later ones too', async () => {
    const dir = await tempDir();
    const sync = new DirectorySync();
    await Promise.all(Array.from({ length: 50 }, () => sync.sync(dir)));
    await sync.sync(dir);
    await Promise.all([sync.sync(dir), sync.sync(dir)]);
    await sync.closeAll();
  });

  it('rejects for a missing folder and works once the folder exists', async () => {
    const dir = join(await tempDir(), 'later');
    const sync = new DirectorySync();
    await assert.rejects(sync.sync(dir), { code: 'ENOENT' });
    await mkdir(dir);
    await sync.sync(dir);
    await sync.closeAll();
  });

  it('keeps working with more folders than it keeps handles for', async () => {
    const root = await tempDir();
    const dirs = Array.from({ length: maxOpenDirectoryHandles + 20 }, (_, index) => join(root, `d${index}`));
    await Promise.all(dirs.map((dir) => mkdir(dir)));
    const sync = new DirectorySync();
    for (const dir of dirs) await sync.sync(dir);
    await Promise.all(dirs.slice(0, 40).map((dir) => sync.sync(dir)));
    await sync.closeAll();
  });
});
