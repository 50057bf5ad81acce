// Versions exchanged at registration and stored in the format record.

/** The software's protocol version: datanodes must match its major part to join. */
export const softwareVersion = '0.1.0';
/** On-disk layout of the name dir; bumped when the LMDB schema changes incompatibly. */
export const namenodeLayoutVersion = 1;
/** On-disk layout of a datanode volume. */
export const datanodeLayoutVersion = 1;

export function softwareVersionsCompatible(a: string, b: string): boolean {
  const major = (v: string): string => v.split('.').slice(0, 2).join('.');
  return major(a) === major(b);
}
