import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../../shared/contract/index.js';
import { isAlive, type ProcessIdentity } from '../process/process-identity.js';
import type { HelperClient } from './helper-client.js';
import { OnDemandHelper } from './helper-supervisor.js';
import { sessionId } from './helper-protocol.js';
import { attachRemoteHelper, startRemoteHelper, type RemoteHelperAccess, type RemoteHelperOptions } from './remote-helper.js';

/** Where this console notes the helper sessions it runs on build hosts, and who it is: a later console closes what a dead one left. */
export interface SessionRecords {
  dir: string;
  owner: ProcessIdentity;
}

const SessionRecord = z.object({ host: z.string(), session: sessionId, owner: z.object({ pid: z.number().int(), startTime: z.string() }) });
type SessionRecord = z.infer<typeof SessionRecord>;

/**
 * A build host's helper, as HelperSupervisor is this machine's: started on
 * first use (uploaded first when the host lacks this version), again once it
 * is gone (its connection could not be re-attached). Builds on the host reach
 * it only here. Each session is noted in the console's state folder while it
 * lives, so a console that ends without closing it is found out by the next.
 */
export class RemoteHelperSupervisor extends OnDemandHelper {
  private note: string | null = null;
  /** Let go of with builds running: its session's note stays, for the next console to find. */
  private left = false;

  constructor(
    private readonly access: () => RemoteHelperAccess,
    private readonly options: RemoteHelperOptions,
    private readonly records?: SessionRecords,
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
    const { helper, uploaded, session } = await startRemoteHelper(access, this.options);
    this.note = `helper on ${access.spec.name}: ${uploaded ? 'uploaded (this version was not there), then started' : 'this version already there (sha256 checked), started'}`;
    return this.noted(access.spec.name, session, helper);
  }

  /**
   * The session an earlier console (this one before a restart) left running on
   * the host, attached to and replayed from after `after`: its builds carry on
   * here. Noted as this console's from now on.
   */
  adopt(session: string, after: number, firstId: number): Promise<HelperClient> {
    return this.take(async () => {
      const access = this.access();
      return this.noted(access.spec.name, session, await attachRemoteHelper(access, this.options, session, after, firstId));
    });
  }

  override leave(): Promise<void> {
    this.left = true;
    return super.leave();
  }

  /** The session noted in the console's state folder as this console's (replacing an earlier console's note of it) while it lives. */
  private noted(host: string, session: string, helper: HelperClient): HelperClient {
    if (this.records) {
      const { dir, owner } = this.records;
      const file = join(dir, `${session}.json`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify({ host, session, owner } satisfies SessionRecord), { mode: 0o600 });
      // Its release is registered at once: gone (closed, or lost for good), the note goes; left running, it stays.
      void helper.exited.then(() => this.left || rmSync(file, { force: true }));
    }
    return helper;
  }
}

/** The sessions noted by consoles that have ended (their process is gone), oldest first; damaged notes are dropped. */
export function leftSessions(dir: string): (SessionRecord & { file: string })[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      const file = join(dir, name);
      try {
        const record = SessionRecord.parse(JSON.parse(readFileSync(file, 'utf8')));
        return isAlive(record.owner) ? [] : [{ ...record, file }];
      } catch {
        rmSync(file, { force: true });
        return [];
      }
    });
}
