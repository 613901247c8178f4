import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first Debian archive URI in apt sources text, one-line or deb822 style. */
export function debianMirror(text: string): string | null {
  for (const line of text.split('\n')) {
    const oneLine = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/.exec(line);
    const deb822 = /^\s*URIs:\s*(\S+)/i.exec(line);
    const uri = oneLine?.[1] ?? deb822?.[1];
    if (uri && /\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
  }
  return null;
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
