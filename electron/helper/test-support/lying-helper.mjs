// A helper that starts like the real one and answers every call with a result the protocol does not allow.
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.type === 'call') send({ type: 'result', id: message.id, ok: true, value: { dir: 42, device: '/etc/shadow' } });
});
createInterface({ input: process.stdin }).on('close', () => process.exit(0));
send({ type: 'ready', pid: process.pid, namespaced: true, uid: process.getuid() });
