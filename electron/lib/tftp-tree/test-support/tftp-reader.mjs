// A netboot client in a tight loop, in its own process so it really races the
// publisher: `link` mode opens kernel and initrd through the purpose path,
// `entry` mode reads the boot entry first and fetches the two files it names.
// Each file holds its version's tag; a pair with two tags is a mixed pair.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [mode, root, purposePath, entryPath, stopFile] = process.argv.slice(2);
const counts = { reads: 0, missing: 0, mixed: 0 };
const tag = (text) => text.split(' ')[1];
process.stdout.write('ready\n');
while (!existsSync(stopFile)) {
  for (let i = 0; i < 200; i++) {
    counts.reads += 1;
    try {
      let kernel, initrd;
      if (mode === 'link') {
        kernel = readFileSync(join(purposePath, 'kernel'), 'utf8');
        initrd = readFileSync(join(purposePath, 'initrd'), 'utf8');
      } else {
        const entry = readFileSync(entryPath, 'utf8');
        kernel = readFileSync(join(root, /KERNEL (\S+)/.exec(entry)[1]), 'utf8');
        initrd = readFileSync(join(root, /INITRD (\S+)/.exec(entry)[1]), 'utf8');
      }
      if (tag(kernel) !== tag(initrd)) counts.mixed += 1;
    } catch (error) {
      if (error.code === 'ENOENT') counts.missing += 1;
      else throw error;
    }
  }
}
process.stdout.write(`${JSON.stringify(counts)}\n`);
