/**
 * How a node connection fails: the nodes' declared interface to the
 * capabilities that use connections they are given (applications retry an
 * unreachable node; containers report it).
 */
export type SshFailure = 'unreachable' | 'timeout' | 'auth-failed' | 'host-key-rejected' | 'host-key-changed';

export class SshError extends Error {
  constructor(
    readonly kind: SshFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SshError';
  }
}
