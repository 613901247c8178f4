import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Source {
  uri: string;
  suites: string[];
  components: string[];
}

function oneLineSources(text: string): Source[] {
  const sources: Source[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (match) sources.push({ uri: match[1]!, suites: [match[2]!], components: (match[3] ?? '').split(/\s+/).filter(Boolean) });
  }
  return sources;
}

function deb822Sources(text: string): Source[] {
  return text.split(/\n\s*\n/).flatMap((stanza) => {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(stanza)?.[1]?.trim() ?? '';
    if (!field('Types').split(/\s+/).includes('deb') || /^(no|false)$/i.test(field('Enabled'))) return [];
    const split = (value: string) => value.split(/\s+/).filter(Boolean);
    return split(field('URIs')).map((uri) => ({ uri, suites: split(field('Suites')), components: split(field('Components')) }));
  });
}

/**
 * The first Debian archive in apt sources text, one-line or deb822 style: a
 * `…/debian` URI with the `main` component (a third-party repository such as
 * Docker's `…/linux/debian … stable` is not one), stanzas with `Enabled: no` skipped.
 */
export function debianMirror(text: string): string | null {
  const source = [...oneLineSources(text), ...deb822Sources(text)].find(
    (s) => /^https?:\/\/[^/]+(\/.*)?\/debian\/?$/.test(s.uri) && s.suites.length > 0 && (s.components.length === 0 || s.components.includes('main')),
  );
  return source ? source.uri.replace(/\/$/, '') : null;
}

/** The Debian mirror this host's apt uses: the default for specs that name none. */
export function hostDebianMirror(aptDir = '/etc/apt'): string | null {
  const files = [join(aptDir, 'sources.list')];
  try {
    for (const name of readdirSync(join(aptDir, 'sources.list.d')).sort()) {
      if (name.endsWith('.list') || name.endsWith('.sources')) files.push(join(aptDir, 'sources.list.d', name));
    }
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    try {
      const mirror = debianMirror(readFileSync(file, 'utf8'));
      if (mirror) return mirror;
    } catch {
      continue;
    }
  }
  return null;
}
