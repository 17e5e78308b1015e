// Human output: boxed, aligned tables in the style of `etcdctl -w table` and `patronictl list`.
// Pure string functions, so the layout is pinned by golden tests.

export const Align = { Left: 'left', Right: 'right' } as const;
export type Align = (typeof Align)[keyof typeof Align];

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

// Code points, not UTF-16 units, so a key like "café" lines up.
const width = (s: string): number => [...s].length;

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(w - width(s));
  return align === Align.Right ? fill + s : s + fill;
}

/** A table with a header row; every line ends with "\n". An empty table still shows its header. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const line = (cells: readonly string[], aligns: readonly Align[]) =>
    '|' + widths.map((w, i) => ` ${pad(cells[i] ?? '', w, aligns[i])} `).join('|') + '|\n';
  const headerAligns = columns.map(() => Align.Left);
  const aligns = columns.map((c) => c.align ?? Align.Left);
  return (
    rule +
    line(
      columns.map((c) => c.header),
      headerAligns,
    ) +
    rule +
    rows.map((r) => line(r, aligns)).join('') +
    rule
  );
}

/** "key: value" pairs on one line, for a summary above a table. */
export function renderSummary(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${k}: ${v}`).join('  ') + '\n';
}

/** Stable JSON for `--json`: two-space indent, one trailing newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
