import { existsSync } from 'node:fs';
import { SlipwayError } from '../../shared/contract/index.js';
import type { HelperClient } from './helper-client.js';
import { OnDemandHelper } from './helper-supervisor.js';
import { startRemoteHelper, type RemoteHelperAccess, type RemoteHelperOptions } from './remote-helper.js';

/**
 * A build host's helper, as HelperSupervisor is this machine's: started on
 * first use (uploaded first when the host lacks this version), again once it
 * is gone (its SSH channel closed). Builds on the host reach it only here.
 */
export class RemoteHelperSupervisor extends OnDemandHelper {
  private note: string | null = null;

  constructor(
    private readonly access: () => RemoteHelperAccess,
    private readonly options: RemoteHelperOptions,
  ) {
    super();
  }

  takeNote(): string | null {
    const note = this.note;
    this.note = null;
    return note;
  }

  protected async launch(): Promise<HelperClient> {
    if (!existsSync(this.options.bundle)) throw new SlipwayError('failed', `the build helper bundle is not built (${this.options.bundle}): run npm run build`);
    const access = this.access();
    const { helper, uploaded } = await startRemoteHelper(access, this.options);
    this.note = `helper on ${access.spec.name}: ${uploaded ? 'uploaded (this version was not there), then started' : 'this version already there (sha256 checked), started'}`;
    return helper;
  }
}
