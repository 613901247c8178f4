import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetbootServeRequest } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { execaRunner } from '../process/runner.js';
import { createNetbootServices } from './netboot-services.js';

const httpMain = join(packageRoot(), 'out', 'main', 'netboot-http.js');

/** The services' own checks and failures, on the loopback interface: a port in use, an interface that is not there, a root others cannot read. */
describe.runIf(existsSync(httpMain))('netboot services', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-nbsvc-'));
  const tftp = join(dir, 'tftp');
  const services = createNetbootServices({ stateDir: join(dir, 'state'), tftpRoot: tftp, run: execaRunner, httpMain, node: process.execPath, readyMs: 20_000 });
  let squatter: Server;
  let taken = 0;
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    mkdirSync(tftp, { mode: 0o755 });
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await services.stop();
    squatter.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which port is in use, and leaves nothing running', async () => {
    await expect(services.serve(NetbootServeRequest.parse({ interface: 'lo', mode: 'tftp-only', httpPort: taken }))).rejects.toThrow(`the HTTP server stopped at once: port ${taken} on 127.0.0.1 is in use by another program`);
    expect(services.state().services.map((s) => s.running)).toEqual([false, false]);
  });

  it('refuses an interface that is not there, and a TFTP root others cannot read', async () => {
    await expect(services.serve(NetbootServeRequest.parse({ interface: 'nosuch0' }))).rejects.toMatchObject({ code: 'bad_request', field: 'interface', message: expect.stringMatching(/^no interface nosuch0/) });
    chmodSync(tftp, 0o700);
    await expect(services.serve(NetbootServeRequest.parse({ interface: 'lo' }))).rejects.toThrow(`${tftp} is not readable by other users: dnsmasq serves the TFTP root as nobody`);
    chmodSync(tftp, 0o755);
  });
});
