import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { saveInventory } from '../inventory-file.js';
import { startFleet } from './sshd-fleet.js';

/**
 * `node scripts/test-nodes.mjs --count N --dir DIR [--user U] [--port P] [--first-octet F] [--network 127.N]`:
 * starts N real sshd test nodes, writes DIR/nodes.yaml (a Slipway inventory),
 * DIR/known_hosts and DIR/hosts (host:port lines for other tools), prints
 * `ready` and runs until SIGTERM or SIGINT, then stops exactly its sshds.
 */
const { values } = parseArgs({
  options: { count: { type: 'string', default: '10' }, dir: { type: 'string' }, user: { type: 'string', default: 'slipway-test' }, port: { type: 'string', default: '2222' }, 'first-octet': { type: 'string', default: '10' }, network: { type: 'string' } },
});
if (!values.dir?.startsWith('/')) {
  process.stderr.write('test-nodes: --dir must be an absolute path\n');
  process.exit(2);
}
const dir = values.dir;
const fleet = await startFleet({ count: Number(values.count), dir, user: values.user, port: Number(values.port), firstOctet: Number(values['first-octet']), ...(values.network ? { network: values.network } : {}) });
saveInventory(
  join(dir, 'nodes.yaml'),
  fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['test-node'] })),
);
writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
writeFileSync(join(dir, 'hosts'), fleet.nodes.map((n) => `${n.host}:${n.port}\n`).join(''));
process.stdout.write(`ready ${fleet.nodes.length} nodes; client key ${fleet.clientKey}\n`);

const stop = async () => {
  await fleet.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
setInterval(() => undefined, 1 << 30);
