/**
 * Merges the Prometheus texts of several clients into one valid exposition: each metric family
 * once (its HELP/TYPE lines, then all samples), and identical series summed — every uzgate
 * metric is a counter or a histogram, whose series add up.
 */
export function mergePrometheusTexts(texts: string[]): string {
  const families = new Map<string, { header: string[]; samples: Map<string, number> }>();
  for (const text of texts) {
    let current: { header: string[]; samples: Map<string, number> } | undefined;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const help = /^# HELP (\S+)/.exec(line);
      if (help) {
        const name = help[1];
        current = families.get(name);
        if (!current) {
          current = { header: [], samples: new Map() };
          families.set(name, current);
        }
        if (!current.header.includes(line)) current.header.push(line);
        continue;
      }
      if (!current) {
        current = { header: [], samples: new Map() };
        families.set('', current);
      }
      if (line.startsWith('#')) {
        if (!current.header.includes(line)) current.header.push(line);
        continue;
      }
      const split = line.lastIndexOf(' ');
      const series = line.slice(0, split);
      const value = Number(line.slice(split + 1));
      current.samples.set(series, (current.samples.get(series) ?? 0) + value);
    }
  }
  const out: string[] = [];
  for (const { header, samples } of families.values()) {
    out.push(...header);
    for (const [series, value] of samples) out.push(`${series} ${formatValue(value)}`);
  }
  return out.join('\n') + '\n';
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
