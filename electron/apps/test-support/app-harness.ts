import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EventBus } from '../../backend/event-bus.js';
import { saveInventory } from '../../nodes/inventory-file.js';
import { createNodeService } from '../../nodes/node-service.js';
import type { Fleet } from '../../nodes/test-support/sshd-fleet.js';
import { execaRunner } from '../../process/runner.js';
import { createAppService } from '../app-service.js';

export const helloSources = join(import.meta.dirname, 'hello', 'src');

/** The C test application as a definition: built once with the node's compiler, installed, run. */
export function helloApp(overrides: Record<string, unknown> = {}): string {
  return stringify({
    name: 'hello',
    depends: ['libc6'],
    buildDepends: ['gcc', 'libc6-dev'],
    sources: [helloSources],
    build: 'cc -O2 -o hello ${SOURCES}/src/hello.c && echo "built hello on $(hostname)"',
    install: 'mkdir -p ${SOURCES}/bin && cp ${BUILD}/hello ${SOURCES}/bin/hello',
    run: '${SOURCES}/bin/hello "$TICKS"',
    env: { TICKS: '5' },
    timeouts: { stop: 1 },
    ...overrides,
  });
}

/** A PATH whose tar says the disk is failing: a node made bad on purpose. */
export function brokenToolsDir(dir: string): string {
  const bin = join(dir, 'broken-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'tar'), '#!/bin/sh\necho "tar: sources.tar: Cannot read: Input/output error" >&2\nexit 2\n');
  chmodSync(bin, 0o755);
  chmodSync(join(bin, 'tar'), 0o755);
  return bin;
}

export function appServices(dir: string, fleet: Fleet, pollMs = 300) {
  saveInventory(
    join(dir, 'nodes.yaml'),
    fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['apps-test'] })),
  );
  writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
  const bus = new EventBus();
  const nodes = createNodeService({ bus, inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 600_000, interactive: false });
  const apps = createAppService({ bus, run: execaRunner, stateDir: join(dir, 'apps'), definitionsDir: join(dir, 'definitions'), nodes: { specs: () => nodes.specs(), access: (name) => nodes.access(name) }, pollMs });
  return { bus, nodes, apps };
}
