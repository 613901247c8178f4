import { useMemo, useState, type FormEvent } from 'react';
import { useBuilds } from '../builds/builds-store.js';
import { formatTime } from '../lib/format.js';
import { controlProps, Field } from './Field.js';
import { ViewLink } from '../shell/ViewLink.js';
import { checkPublishForm, emptyPublishForm, publishFieldOf, publishFields, type PublishErrors, type PublishField, type PublishFormValues } from './publish-form.js';
import { usePublish, type LastPublish } from './publish-store.js';

function PublishResultNote({ last }: { last: LastPublish }) {
  const published = last.status === 'published';
  return (
    <div className={`publish-result publish-result--${last.status}`} role="status" data-status={last.status}>
      {published ? (
        <span>
          <strong>Published</strong> <code>{last.version}</code> at <code>{last.key}</code>
        </span>
      ) : (
        <span>
          <strong>Unchanged</strong>: <code>{last.key}</code> already serves <code>{last.version}</code>; nothing was written.
        </span>
      )}
      {last.pruned.length > 0 && <span className="muted"> Pruned past their grace period: {last.pruned.join(', ')}.</span>}
      {last.note && <span className="publish-result__note"> {last.note}</span>}
    </div>
  );
}

/** Publish a kernel and initrd into the TFTP tree: from a finished build, or from two files on the host. */
export function PublishForm() {
  const history = useBuilds((s) => s.history);
  const publish = usePublish((s) => s.publish);
  const publishing = usePublish((s) => s.publishing);
  const last = usePublish((s) => s.last);
  const roots = usePublish((s) => s.roots);
  const [values, setValues] = useState<PublishFormValues>(emptyPublishForm);
  const [errors, setErrors] = useState<PublishErrors>({});
  const [tried, setTried] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const finished = useMemo(() => history.filter((b) => b.status === 'succeeded'), [history]);
  // Until the operator picks one, the newest finished build is the source.
  const build = finished.find((b) => b.id === values.buildId) ?? finished[0] ?? null;
  const current: PublishFormValues = { ...values, buildId: build?.id ?? '' };

  function change(patch: Partial<PublishFormValues>): void {
    const next = { ...values, ...patch };
    setValues(next);
    if (tried) {
      const check = checkPublishForm({ ...next, buildId: next.buildId || (build?.id ?? '') });
      setErrors(check.ok ? {} : check.errors);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setTried(true);
    setFormError(null);
    const check = checkPublishForm(current);
    if (!check.ok) {
      setErrors(check.errors);
      const first = publishFields.find((f) => check.errors[f]);
      event.currentTarget.querySelector<HTMLElement>(`#publish-${first}`)?.focus();
      return;
    }
    setErrors({});
    const outcome = await publish(check.request);
    if (outcome.ok) return;
    const field = publishFieldOf(outcome.field);
    if (field) setErrors({ [field]: outcome.message });
    else setFormError(outcome.message);
  }

  const text = (field: PublishField, label: string, placeholder: string, hint?: string) => (
    <Field id={`publish-${field}`} label={label} error={errors[field]} hint={hint}>
      <input
        {...controlProps(`publish-${field}`, errors[field], hint)}
        name={field}
        className="input mono"
        value={values[field]}
        placeholder={placeholder}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        onChange={(event) => change({ [field]: event.target.value })}
      />
    </Field>
  );
  // A build host's image is published into that host's tree: its root is known once that tree was shown.
  const onHost = values.sourceKind === 'build' ? (build?.host ?? null) : null;
  const treeRoot = roots[onHost ?? ''] ?? (onHost === null ? '…' : '<its TFTP root>');
  const treePath = `${onHost === null ? '' : `${onHost}:`}${treeRoot}/${current.arch || 'ARCH'}/${current.subarch.trim() || 'generic'}/${current.release || 'RELEASE'}/${current.purpose || 'PURPOSE'}`;

  return (
    <section className="panel publish" aria-labelledby="publish-title">
      <header className="panel__header">
        <h2 id="publish-title" className="panel__title">Publish netboot files</h2>
        <span className="panel__meta">one atomic switch; identical content changes nothing</span>
      </header>
      <form className="publish__form" noValidate onSubmit={(event) => void submit(event)}>
        <fieldset className="fieldset">
          <legend className="field__label">Source</legend>
          <div className="segmented" role="radiogroup" aria-label="Source">
            {(['build', 'files'] as const).map((kind) => (
              <label key={kind} className={`segmented__item${values.sourceKind === kind ? ' segmented__item--on' : ''}`}>
                <input type="radio" name="publish-source" value={kind} checked={values.sourceKind === kind} onChange={() => change({ sourceKind: kind })} />
                {kind === 'build' ? 'A finished build' : 'Kernel and initrd files'}
              </label>
            ))}
          </div>
          {values.sourceKind === 'build' ? (
            <div className="form-grid form-grid--2">
              <Field id="publish-buildId" label="Build" error={errors.buildId} hint={finished.length === 0 ? <>No finished build yet: <ViewLink view="builds">build an image first</ViewLink>.</> : undefined}>
                <select {...controlProps('publish-buildId', errors.buildId)} className="input" value={current.buildId} onChange={(event) => change({ buildId: event.target.value, image: '' })}>
                  {finished.length === 0 && <option value="">no finished build</option>}
                  {finished.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.name} · {formatTime(b.startedAt)}{b.cacheHit ? ' · cache hit' : ''}{b.host === undefined ? '' : ` · on ${b.host}`}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="publish-image" label="Image holding /boot" error={errors.image}>
                <select {...controlProps('publish-image', errors.image)} className="input" value={values.image} onChange={(event) => change({ image: event.target.value })}>
                  <option value="">default (boot, else the first)</option>
                  {(build?.artifacts ?? []).map((a) => (
                    <option key={a.image} value={a.image}>{a.image}</option>
                  ))}
                </select>
              </Field>
            </div>
          ) : (
            <div className="form-grid form-grid--2">
              {text('kernel', 'Kernel', 'e.g. /srv/netboot/vmlinuz-6.1.0-27-amd64')}
              {text('initrd', 'Initrd', 'e.g. /srv/netboot/initrd.img-6.1.0-27-amd64')}
            </div>
          )}
        </fieldset>
        <fieldset className="fieldset">
          <legend className="field__label">Target</legend>
          <div className="form-grid form-grid--4">
            {text('arch', 'Arch', 'amd64')}
            {text('subarch', 'Subarch', 'generic', 'Empty: generic.')}
            {text('release', 'Release', 'bookworm')}
            {text('purpose', 'Purpose', 'install')}
          </div>
          <p className="publish__path" data-testid="publish-path">
            Publishes to <code>{treePath}</code>
          </p>
        </fieldset>
        {formError && (
          <div className="alert" role="alert">
            {formError}
          </div>
        )}
        <div className="publish__actions">
          <button type="submit" className="button button--primary" disabled={publishing}>
            {publishing ? 'Publishing…' : 'Publish'}
          </button>
          {last && !publishing && <PublishResultNote last={last} />}
        </div>
      </form>
    </section>
  );
}
