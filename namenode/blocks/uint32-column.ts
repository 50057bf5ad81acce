// A per-record number column of 4 bytes a record where 8 would be needed for the rare big
// value: generation stamps (which count up from 1000 by one per block allocation) and block
// lengths (a block reaches 4 GiB only with an unusual block size) fit 32 bits all but
// forever; a value that does not is kept in a side map, behind a marker.

/** In the array: "look in the side map". */
const wideMarker = 0xffffffff;

export class Uint32Column {
  private values: Uint32Array;
  private readonly wide = new Map<number, number>();

  constructor(records: number) {
    this.values = new Uint32Array(records);
  }

  get byteLength(): number {
    return this.values.byteLength;
  }

  get(record: number): number {
    const value = this.values[record] as number;
    return value === wideMarker ? (this.wide.get(record) as number) : value;
  }

  set(record: number, value: number): void {
    if (Number.isInteger(value) && value >= 0 && value < wideMarker) {
      this.values[record] = value;
      if (this.wide.size > 0) this.wide.delete(record);
      return;
    }
    this.values[record] = wideMarker;
    this.wide.set(record, value);
  }

  /** Room for `records` records, the values kept. */
  grow(records: number): void {
    const values = new Uint32Array(records);
    values.set(this.values);
    this.values = values;
  }
}
