// Safe mode: while ON the namespace is read-only. Today only the manual switch
// (`dfsadmin -safemode enter|leave`); the automatic start-up mode (stay ON until
// `dfs.namenode.safemode.threshold-pct` of blocks have their minimum replicas, then
// `dfs.namenode.safemode.extension`) plugs in at `onStartup` / `onBlockReported`.
import { DfsError } from '../../protocol/errors.js';

export class SafeMode {
  private manual = false;

  get isOn(): boolean {
    return this.manual;
  }

  enter(): void {
    this.manual = true;
  }

  leave(): void {
    this.manual = false;
  }

  /** Every namespace mutation calls this first. */
  checkWritable(operation: string): void {
    if (this.isOn) throw new DfsError('SafeMode', `Cannot ${operation}: name node is in safe mode (leave it with "tsdfs dfsadmin -safemode leave")`);
  }
}
