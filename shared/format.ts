/** Byte counts the way people read them (decimal units): 21 B, 4.2 MB. `gap` goes between number and unit. */
export function formatBytes(count: number, gap = ' '): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)}${gap}${units[unit]}`;
}
