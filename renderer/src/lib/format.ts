/** "0.4 s", "12.5 s", "3 min 05 s", "1 h 02 min": precise when short, readable when long. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Binary units, as `ls -lh` and the spec's sizes use them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

// One formatter: `toLocaleString` builds a new one at every call, which a log counter updated every frame feels.
const grouping = new Intl.NumberFormat('en-US');

/** "300,000": the same grouping on every operator's machine, whatever its locale. */
export function formatCount(count: number): string {
  return grouping.format(count);
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The one time format of the console, local and 24-hour in every locale:
 * "14:05:09" for a moment of today, "2024-12-30 09:30" for any other day
 * (before today, or after it when a clock runs ahead). `now` is injectable
 * for tests. An unreadable time is shown as it came, never as "NaN".
 */
export function formatTime(at: string | number | Date, now: Date = new Date()): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const time = `${two(date.getHours())}:${two(date.getMinutes())}`;
  const today = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  if (today) return `${time}:${two(date.getSeconds())}`;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${time}`;
}

/** An ISO 8601 moment with its zone, as the backend writes them into messages. */
const isoMoment = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** A message from the backend with each ISO time in it shown as `formatTime` shows times. */
export function formatTimesIn(text: string, now: Date = new Date()): string {
  return text.replace(isoMoment, (moment) => formatTime(moment, now));
}
