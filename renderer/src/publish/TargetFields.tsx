import { useMemo } from 'react';
import type { DeployTarget } from '../../../shared/contract/index.js';
import { sortNodes } from '../nodes/node-filter.js';
import { useNodes } from '../nodes/nodes-store.js';
import { withTargetKind, type DeployErrors, type DeployFormValues } from './deploy-form.js';
import { controlProps, Field } from './Field.js';

type TargetValues = Pick<DeployFormValues, 'targetKind' | 'path' | 'node'>;

const kinds: { kind: DeployTarget['kind']; label: string }[] = [
  { kind: 'tar', label: 'tar archive' },
  { kind: 'rawdisk', label: 'raw disk image' },
  { kind: 'ssh-rsync', label: 'rsync to a node' },
];

/** Where the merged tree goes: a tar file, a raw disk image, or a node of the inventory over rsync. */
export function TargetFields({ values, errors, onChange }: { values: TargetValues; errors: DeployErrors; onChange(change: Partial<TargetValues>): void }) {
  const statuses = useNodes((s) => s.statuses);
  const nodes = useMemo(() => sortNodes(Object.values(statuses)), [statuses]);
  const rsync = values.targetKind === 'ssh-rsync';
  return (
    <fieldset className="fieldset">
      <legend className="field__label">Target</legend>
      <div className="segmented" role="radiogroup" aria-label="Target kind">
        {kinds.map(({ kind, label }) => (
          <label key={kind} className={`segmented__item${values.targetKind === kind ? ' segmented__item--on' : ''}`}>
            <input type="radio" name="deploy-target" value={kind} checked={values.targetKind === kind} onChange={() => onChange(withTargetKind(values, kind))} />
            {label}
          </label>
        ))}
      </div>
      <div className={`form-grid ${rsync ? 'form-grid--2' : ''}`}>
        {rsync && (
          <Field id="deploy-node" label="Node" error={errors['target.node']}>
            <select {...controlProps('deploy-node', errors['target.node'])} className="input" value={values.node} onChange={(event) => onChange({ node: event.target.value })}>
              <option value="">pick a node…</option>
              {nodes.map((s) => (
                <option key={s.spec.name} value={s.spec.name}>
                  {s.spec.name} ({s.state})
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="deploy-path" label={rsync ? 'Path on the node' : 'File'} error={errors['target.path']}>
          <input
            {...controlProps('deploy-path', errors['target.path'])}
            className="input mono"
            value={values.path}
            placeholder={rsync ? 'e.g. /srv/root' : 'e.g. /srv/deploy/lab-node.tar'}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            onChange={(event) => onChange({ path: event.target.value })}
          />
        </Field>
      </div>
    </fieldset>
  );
}
