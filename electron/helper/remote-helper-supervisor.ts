import { existsSync } from 'node:fs';
import { SlipwayError } from '../../shared/contract/index.js';
import type { HelperClient } from './helper-client.js';
import type { HelperSource } from './helper-supervisor.js';
import { startRemoteHelper, type RemoteHelperAccess, type RemoteHelperOptions } from './remote-helper.js';

/**
 * A build host's helper, as HelperSupervisor is this machine's: started on
 * first use (uploaded first when the host lacks this version), again once it
 * is gone (its SSH channel closed). Builds on the host reach it only here.
 */
export class RemoteHelperSupervisor implements HelperSource {
  private helper: Promise<HelperClient> | null = null;
  private note: string | null = null;

  constructor(
    private readonly access: () => RemoteHelperAccess,
    private readonly options: RemoteHelperOptions,
  ) {}

  takeNote(): string | null {
    const note = this.note;
    this.note = null;
    return note;
  }

  get(): Promise<HelperClient> {
    this.helper ??= this.start();
    return this.helper;
  }

  private async start(): Promise<HelperClient> {
    try {
      if (!existsSync(this.options.bundle)) throw new SlipwayError('failed', `the build helper bundle is not built (${this.options.bundle}): run npm run build`);
      const access = this.access();
      const { helper, uploaded } = await startRemoteHelper(access, this.options);
      this.note = `helper on ${access.spec.name}: ${uploaded ? 'uploaded (this version was not there), then started' : 'this version already there (sha256 checked), started'}`;
      void helper.exited.then(() => {
        this.helper = null;
      });
      return helper;
    } catch (error) {
      this.helper = null;
      throw error;
    }
  }

  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = null;
    if (helper) await (await helper.catch(() => null))?.close();
  }
}
