import { parseArgs } from 'node:util';
import { createNetbootHttp } from './netboot-http.js';

/**
 * The netboot HTTP server as its own process, started detached by the
 * netboot services (it outlives the console and the CLI that started it,
 * like dnsmasq beside it): `--root DIR --address A --port N --access-log F --booted-log F`.
 */
const { values } = parseArgs({
  options: { root: { type: 'string' }, address: { type: 'string' }, port: { type: 'string' }, 'access-log': { type: 'string' }, 'booted-log': { type: 'string' } },
  strict: true,
});
const server = createNetbootHttp({ root: values.root!, accessLog: values['access-log']!, bootedLog: values['booted-log']! });
server.on('error', (error: NodeJS.ErrnoException) => {
  process.stderr.write(
    error.code === 'EADDRINUSE'
      ? `port ${values.port} on ${values.address} is in use by another program\n`
      : error.code === 'EADDRNOTAVAIL'
        ? `${values.address} is not an address of this host (or of its network namespace)\n`
        : `cannot listen on ${values.address}:${values.port}: ${error.message}\n`,
  );
  process.exit(1);
});
server.listen(Number(values.port), values.address, () => process.stdout.write(`listening on http://${values.address}:${values.port}/ serving ${values.root}\n`));
// Fetches in flight end with the process: a node retries a fetch, and a stop must not wait for a slow one.
process.on('SIGTERM', () => process.exit(0));
