import { useBuildHostNames } from '../nodes/use-build-host-names.js';
import { useBuilds } from './builds-store.js';

/** Where the next build runs: this machine, the first free build host, or one of them (inventory nodes labelled build-host). */
export function BuildHostPicker() {
  const host = useBuilds((s) => s.host);
  const setHost = useBuilds((s) => s.setHost);
  const hosts = useBuildHostNames();
  // A chosen host that left the inventory (or lost its label) is shown as such rather than silently dropped.
  const missing = host !== '' && host !== 'any' && !hosts.includes(host);
  return (
    <div className="spec__host">
      <label htmlFor="spec-host">Build on</label>
      <select id="spec-host" className="input" value={host} onChange={(event) => setHost(event.target.value)} aria-describedby="spec-host-note">
        <option value="">this machine</option>
        <option value="any" disabled={hosts.length === 0}>
          any build host{hosts.length === 0 ? ' (none labelled build-host)' : ''}
        </option>
        {hosts.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
        {missing && <option value={host}>{host} (not a build host now)</option>}
      </select>
      <span id="spec-host-note" className="muted">
        {host === '' ? 'output.dir is a folder here' : 'output.dir is a folder on the build host'}
      </span>
    </div>
  );
}
