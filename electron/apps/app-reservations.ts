import { SlipwayError, type AppNodeState } from '../../shared/contract/index.js';

/** What a reservation reads of a run: its app, and a node's state in it. */
export interface ReservableRun {
  readonly id: string;
  readonly definition: { name: string };
  state(node: string): AppNodeState;
}

const activeOn = (state: AppNodeState) => state.status === 'BUILDING' || state.status === 'RUNNING' || Object.values(state.phases).some((phase) => phase.status === 'running');

/**
 * One run of an app per node: its home, pidfile and traces on the node are
 * the app's, so a second deploy there (a double press of Deploy, or a
 * forgotten run) is refused, naming the run. A deploy holds its nodes from
 * before its first await until its deploy returned; from then on the run's
 * own node states say whether it is still there.
 */
export class AppReservations {
  /** `app\0node` → the run deploying it there. */
  private readonly deploying = new Map<string, string>();

  constructor(private readonly runs: () => Iterable<ReservableRun>) {}

  private holder(app: string, node: string): string | undefined {
    const deploying = this.deploying.get(`${app}\0${node}`);
    if (deploying) return deploying;
    for (const run of this.runs()) if (run.definition.name === app && activeOn(run.state(node))) return run.id;
    return undefined;
  }

  /** Reserves every target for run `id`, or refuses; returns the release. */
  reserve(app: string, targets: readonly string[], id: string): () => void {
    const busy = targets.map((node) => [node, this.holder(app, node)] as const).filter(([, holder]) => holder !== undefined);
    if (busy.length > 0) {
      const holders = [...new Set(busy.map(([, holder]) => holder))].join(', ');
      throw new SlipwayError('busy', `${app} is already deploying or running on ${busy.map(([node]) => node).join(', ')} (run ${holders}): stop it there first, or deploy to other nodes`, 'nodes');
    }
    for (const node of targets) this.deploying.set(`${app}\0${node}`, id);
    return () => {
      for (const node of targets) if (this.deploying.get(`${app}\0${node}`) === id) this.deploying.delete(`${app}\0${node}`);
    };
  }
}
