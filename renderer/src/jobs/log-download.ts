import { logPageSize } from './job-slice.js';

/** A job's whole log as the backend holds it, page by page (the viewer may hold only part of it). */
export interface LogSource {
  page(from: number, count: number): Promise<{ lines: readonly { text: string }[]; total: number }>;
  /** "build-20261202-ab12cd34.log". */
  fileName: string;
}

/** The log as raw text, one line per line; `progress` hears how far it is on a long log. */
export async function rawLogText(source: LogSource, progress: (read: number, total: number) => void = () => undefined): Promise<string> {
  const parts: string[] = [];
  for (;;) {
    const { lines, total } = await source.page(parts.length, logPageSize);
    for (const line of lines) parts.push(line.text);
    progress(parts.length, total);
    if (lines.length === 0 || parts.length >= total) break;
  }
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}

const blobUrl = (text: string) => URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
// Long enough for the browser to have read it; the page holds no reference to a log it no longer shows.
const releaseLater = (url: string) => setTimeout(() => URL.revokeObjectURL(url), 60_000);

/** Saves through the browser's (or Electron's) own download: the renderer never touches files. */
export function saveText(text: string, fileName: string): void {
  const url = blobUrl(text);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  releaseLater(url);
}

/** The raw text in a window of its own, beside the console (the desktop shell opens it script-less and sandboxed). */
export function openText(text: string): void {
  const url = blobUrl(text);
  window.open(url, '_blank', 'noopener');
  releaseLater(url);
}
