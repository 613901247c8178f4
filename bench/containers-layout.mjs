// Writes a Treadmill node root with N containers in a mix of states, as
// bench/containers scans it: node bench/containers-layout.mjs ROOT N
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, countText] = process.argv.slice(2);
const count = Number(countText ?? 10000);
for (const dir of ['apps', 'running', 'cleanup', 'cache', 'appevents', 'archives', 'tombstones']) mkdirSync(join(root, dir), { recursive: true });
const manifest = (i) => JSON.stringify({ proid: 'proid', environment: 'dev', cpu: '50%', memory: `${64 + (i % 8) * 64}M`, disk: '1G', services: [{ name: 'web_server', command: '/bin/sleep 1000' }], environ: [{ name: 'SHARD', value: String(i % 16) }] });
const start = 1_700_000_000;
for (let i = 0; i < count; i++) {
  const instanceId = String(i).padStart(10, '0');
  const uniqueId = `U${String(i).padStart(12, '0')}`;
  const app = `proid.app${i % 50}`;
  const unique = `${app}-${instanceId}-${uniqueId}`;
  const instance = `${app}#${instanceId}`;
  const dir = join(root, 'apps', unique);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'app.json'), manifest(i));
  writeFileSync(join(dir, 'run'), '#!/bin/sh\nexec s6-svscan services\n');
  const t = start + i;
  writeFileSync(join(root, 'appevents', `${t}.10,${instance},configured,${uniqueId}`), '');
  switch (i % 5) {
    case 0:
    case 1:
      symlinkSync(`../apps/${unique}`, join(root, 'running', instance));
      writeFileSync(join(root, 'appevents', `${t}.20,${instance},service_running,${uniqueId}.web_server`), '');
      break;
    case 2:
      writeFileSync(join(dir, 'data', 'exitinfo'), JSON.stringify({ service: 'web_server', return_code: i % 7, signal: 0, timestamp: t + 0.5 }));
      symlinkSync(`../apps/${unique}`, join(root, 'cleanup', unique));
      writeFileSync(join(root, 'appevents', `${t}.60,${instance},finished,${i % 7}.0`), '');
      break;
    case 3:
      writeFileSync(join(dir, 'data', 'oom'), '');
      writeFileSync(join(root, 'appevents', `${t}.70,${instance},killed,oom`), '');
      break;
    default:
      writeFileSync(join(dir, 'data', 'aborted'), JSON.stringify({ why: 'image', payload: null }));
      writeFileSync(join(root, 'appevents', `${t}.80,${instance},aborted,image`), '');
  }
}
console.log(`wrote ${count} containers under ${root}`);
