// File names and folders of a volume. Names are built only from numeric block ids and
// generation stamps, never from request text, so no request can reach another file.
import { join } from 'node:path';

export const versionFileName = 'VERSION';
/** Finalized replicas are spread over this many sub-folders so no folder grows huge. */
export const finalizedSubdirCount = 256;

export const blockFilePattern = /^blk_([1-9][0-9]{0,15})$/;
export const metaFilePattern = /^blk_([1-9][0-9]{0,15})_([1-9][0-9]{0,15})\.meta$/;

export function blockFileName(blockId: number): string {
  return `blk_${blockId}`;
}

export function metaFileName(blockId: number, genStamp: number): string {
  return `blk_${blockId}_${genStamp}.meta`;
}

export function currentDir(volumeRoot: string): string {
  return join(volumeRoot, 'current');
}

export function rbwDir(volumeRoot: string): string {
  return join(volumeRoot, 'current', 'rbw');
}

export function finalizedDir(volumeRoot: string): string {
  return join(volumeRoot, 'current', 'finalized');
}

export function finalizedSubdir(volumeRoot: string, blockId: number): string {
  return join(finalizedDir(volumeRoot), `subdir${blockId % finalizedSubdirCount}`);
}
