// Hadoop's TableListing: columns two spaces apart, each as wide as its widest cell,
// left- or right-justified; trailing spaces trimmed.
export type Justification = 'left' | 'right';

export function formatTable(rows: readonly (readonly string[])[], justify: readonly Justification[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (justify[column] === 'right' ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
