import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../../shared/contract/index.js';
import { isAlive, type ProcessIdentity } from '../process/process-identity.js';
import { startHelper, type Elevation, type HelperClient } from './helper-client.js';

export interface SupervisorOptions {
  workspace: string;
  outputRoots: readonly string[];
  script: string;
  /** How to become root, decided when the helper is first needed. */
  elevation: () => Promise<Elevation | { none: string }>;
}

/** Where a build's helper comes from: this machine's (HelperSupervisor) or a build host's (RemoteHelperSupervisor). */
export interface HelperSource {
  get(): Promise<HelperClient>;
  close(): Promise<void>;
  /** What the last start did worth telling the build that caused it (a build host's upload), once; then null. */
  takeNote?(): string | null;
}

/** A helper started on first use, and again once the one before is gone; `launch` starts one. */
export abstract class OnDemandHelper implements HelperSource {
  private helper: Promise<HelperClient> | null = null;

  protected abstract launch(): Promise<HelperClient>;

  get(): Promise<HelperClient> {
    this.helper ??= this.start(() => this.launch());
    return this.helper;
  }

  /** A helper this supervisor did not start (one a console before this one started), from now on the one `get` gives. */
  protected take(reach: () => Promise<HelperClient>): Promise<HelperClient> {
    if (this.helper) return Promise.reject(new Error('a helper is already running here'));
    this.helper = this.start(reach);
    return this.helper;
  }

  private async start(launch: () => Promise<HelperClient>): Promise<HelperClient> {
    try {
      const helper = await launch();
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

  /** Lets go of a detached helper without closing it (its builds go on, for a later console); any other is closed. */
  async leave(): Promise<void> {
    const helper = await this.helper?.catch(() => null);
    this.helper = null;
    if (helper?.leave) helper.leave();
    else await helper?.close();
  }
}

/** One helper for all builds on this machine. */
export class HelperSupervisor extends OnDemandHelper {
  constructor(private readonly options: SupervisorOptions) {
    super();
  }

  protected async launch(): Promise<HelperClient> {
    if (!existsSync(this.options.script)) throw new SlipwayError('failed', `the build helper is not built (${this.options.script}): run npm run build`);
    const elevation = await this.options.elevation();
    if (typeof elevation !== 'string') throw new SlipwayError('failed', `builds need root: ${elevation.none}`);
    return startHelper({ script: this.options.script, workspace: this.options.workspace, outputRoots: this.options.outputRoots, elevation });
  }
}

/**
 * Build directories nobody is running: their Slipway is gone, or it is this
 * one and the build is not live (its helper died under it).
 */
export function orphanedBuilds(workspace: string, self: ProcessIdentity, live: ReadonlySet<string>): string[] {
  const dir = join(workspace, 'builds');
  if (!existsSync(dir)) return [];
  const buildDirs = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && /^[a-z0-9-]{6,64}$/.test(entry.name));
  return buildDirs.map((entry) => entry.name).filter((id) => {
    try {
      const owner = JSON.parse(readFileSync(join(dir, id, 'owner.json'), 'utf8')) as ProcessIdentity;
      const mine = owner.pid === self.pid && owner.startTime === self.startTime;
      return mine ? !live.has(id) : !isAlive(owner);
    } catch {
      // No readable owner: the build died while opening; nothing can be using it.
      return true;
    }
  });
}
