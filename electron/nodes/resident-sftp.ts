import { SshError, type SftpChannel } from './ssh-connection.js';

/**
 * Why a poll could not be answered over SFTP, for the exec fallback to say.
 * `refused`: the node does not serve what is asked (no sftp subsystem, no
 * /proc, no statvfs extension): not tried again on this connection.
 * Otherwise the session failed; it is reopened on the next use.
 */
export class SftpUnavailable extends Error {
  constructor(message: string, readonly refused: boolean) {
    super(message);
  }
}

/** What the node cannot do over SFTP at all, as opposed to a session that broke. */
export function refusal(what: string, error: unknown): SftpUnavailable {
  return new SftpUnavailable(`${what} (${(error as Error).message})`, true);
}

/**
 * An SFTP session kept open on one connection, with what its users keep on
 * it (open handles, facts read once): those live and die with the session.
 * Every handle's release is registered as soon as it exists.
 */
export class SftpSession {
  private readonly releases: (() => void)[] = [];
  private readonly kept = new Map<string, Promise<unknown>>();
  private ended = false;

  constructor(readonly channel: SftpChannel, releaseSlot: () => void) {
    this.releases.push(releaseSlot, () => channel.close());
    channel.onClose(() => this.end());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Run `release` when the session ends (or at once if it has). */
  defer(release: () => void): void {
    if (this.ended) release();
    else this.releases.push(release);
  }

  /** A value made once per session (handles, static facts); a failed making is forgotten, so the next use tries again. */
  keep<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.kept.get(key) as Promise<T> | undefined;
    if (!value) {
      value = make();
      this.kept.set(key, value);
      value.catch(() => this.kept.delete(key));
    }
    return value;
  }

  /** Handles first, then the session, then its channel slot: each release once, whatever throws. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const release of this.releases.splice(0).reverse()) {
      try {
        release();
      } catch {
        // A release on a session that is gone already: nothing left to free.
      }
    }
  }
}

export interface ResidentSftpOptions {
  /** A channel slot of the node's connection (sshd's MaxSessions); the function returned frees it. */
  acquireSlot(): Promise<() => void>;
  open(): Promise<SftpChannel>;
}

/**
 * One node's resident SFTP session on its pooled connection: opened on first
 * use, reused by every poll after, dropped on any failure and reopened by the
 * next use. A refusal is remembered for the connection's life (a new
 * connection asks again: the node may have been reconfigured).
 */
export class ResidentSftp {
  private session: Promise<SftpSession> | null = null;
  /** The session once open: ended at once by close(), not a tick later. */
  private live: SftpSession | null = null;
  private refused: SftpUnavailable | null = null;
  private closed = false;
  /** Uses begun: a failed use drops the session only if no use began after it (that one is in charge now). */
  private uses = 0;

  constructor(private readonly options: ResidentSftpOptions) {}

  private start(): Promise<SftpSession> {
    const opening = (async () => {
      const releaseSlot = await this.options.acquireSlot();
      let channel: SftpChannel;
      try {
        channel = await this.options.open();
      } catch (error) {
        releaseSlot();
        const message = (error as Error).message;
        // sshd answers a subsystem request it has no Subsystem line for with a failure: the node's choice.
        if (/subsystem/i.test(message)) throw new SftpUnavailable(`the node refused the SFTP subsystem (${message})`, true);
        // A Subsystem line naming a server the node does not have: it exits (127) before it says its version.
        if (/exit code \d+ while establishing SFTP session/.test(message)) throw new SftpUnavailable(`the node's SFTP server does not start (${message})`, true);
        throw new SftpUnavailable(`could not open an SFTP session: ${message}`, false);
      }
      const session = new SftpSession(channel, releaseSlot);
      // Closed while opening (pool closed, node forgotten): nobody else will end it.
      if (this.closed) session.end();
      // Unless a use gave up on this opening meanwhile (it ends the session when it is here).
      const stillWanted = () => this.session === opening;
      if (stillWanted()) this.live = session;
      session.defer(() => {
        if (this.session === opening) this.session = null;
        if (this.live === session) this.live = null;
      });
      return session;
    })();
    this.session = opening;
    opening.catch(() => {
      if (this.session === opening) this.session = null;
    });
    return opening;
  }

  /**
   * `work` on the session, within `timeoutMs`. Any failure ends the session
   * (its handles too): the next use opens a fresh one. Failures come back as
   * SftpUnavailable (a timeout as SshError 'timeout').
   */
  async use<T>(work: (session: SftpSession) => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.closed) throw new SftpUnavailable('the SFTP session is closed', false);
    if (this.refused) throw this.refused;
    const ticket = ++this.uses;
    const current = this.session ?? this.start();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SshError('timeout', `no SFTP answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([
        current.then((opened) => {
          if (opened.isEnded) throw new SftpUnavailable('the SFTP session ended', false);
          return work(opened);
        }),
        deadline,
      ]);
    } catch (error) {
      // Opened or still opening: ended either way, so the next use starts clean; but a use that began
      // since on this same session (this one gave up late, the next poll runs) is not cut off: it is in charge.
      if (this.uses === ticket || this.session !== current) {
        if (this.session === current) this.session = null;
        void current.then((session) => session.end(), () => undefined);
      }
      if (error instanceof SftpUnavailable) {
        if (error.refused) this.refused = error;
        throw error;
      }
      if (error instanceof SshError) throw error;
      throw new SftpUnavailable(`the SFTP session failed (${(error as Error).message}); it is reopened on the next poll`, false);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    this.live?.end();
    void this.session?.then((session) => session.end(), () => undefined);
    this.session = null;
  }
}
