import { hostname, userInfo } from 'node:os';
import { execaRunner, type Runner } from '../process/runner.js';
import { createReadinessService } from '../readiness/readiness-service.js';
import { appVersion } from './app-version.js';
import type { Backend } from './backend.js';
import { EventBus } from './event-bus.js';

export interface RealBackendOptions {
  runner?: Runner;
}

/** The services that do real work on this host, behind the contract's handlers. */
export function createRealBackend(options: RealBackendOptions = {}): Backend {
  const bus = new EventBus();
  const host = hostname();
  const readiness = createReadinessService({
    bus,
    runner: options.runner ?? execaRunner,
    hostname: host,
    uid: process.getuid?.() ?? -1,
    user: userInfo().username,
    pathEnv: process.env.PATH ?? '',
  });

  return {
    kind: 'real',
    bus,
    handlers: {
      'session.hello': async () => ({ backend: 'real', version: appVersion, hostname: host, seq: bus.lastSeq }),
      'readiness.get': async () => readiness.last(),
      'readiness.check': () => readiness.check(),
    },
    start() {
      // The first probe runs at once so the view is filled when a client connects.
      void readiness.check().catch(() => undefined);
    },
    async close() {},
  };
}
