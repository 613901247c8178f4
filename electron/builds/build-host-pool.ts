import type { ImageSpec } from '../../shared/contract/index.js';
import type { HelperSource } from '../helper/helper-supervisor.js';

/** A build host as the queue sees it. */
export interface BuildHostSlot {
  name: string;
  limit: number;
}

/** What the build service needs of the build hosts. */
export interface BuildHostPool {
  /** The host's helper; refuses a node that is not a build host, with what to do. */
  helperOf(name: string): HelperSource;
  /** The inventory's build hosts now, each with how many builds it takes at once. */
  hosts(): BuildHostSlot[];
  /** Called when a host's limit becomes known (its cores counted): queued builds may start. */
  onChange(listener: () => void): void;
  /** Why the host cannot run a build packing this container (a tool it needs missing, no root), with what to do; null when it can. */
  refusal(name: string, container: ImageSpec['output']['container']): Promise<string | null>;
  /**
   * The host's helper session an earlier console left, attached to and replayed from after `after`, this console's
   * calls numbered from `firstId`: the host's helper from now on.
   */
  adopt?(name: string, session: string, after: number, firstId: number): Promise<HelperSource>;
}
