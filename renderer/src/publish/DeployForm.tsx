import { useEffect, useState, type FormEvent } from 'react';
import { deployTargetText, DeployTarget, type DeployRequestInput } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { ReplaceTargetDialog } from './ConfirmDialogs.js';
import { checkDeployForm, deployFieldOf, emptyDeployForm, type DeployErrors, type DeployFormValues } from './deploy-form.js';
import { useDeploy } from './deploy-store.js';
import { EnvEditor } from './EnvEditor.js';
import { ExtensionPicker } from './ExtensionPicker.js';
import { controlProps, Field } from './Field.js';
import { ViewLink } from '../shell/ViewLink.js';
import { TargetFields } from './TargetFields.js';

interface Confirming {
  request: DeployRequestInput;
  target: string;
  detail: string;
}

/** Image → extensions in order → environment → target; a target that exists is replaced only once confirmed. */
export function DeployForm() {
  const catalog = useDeploy((s) => s.catalog);
  const starting = useDeploy((s) => s.starting);
  const start = useDeploy((s) => s.start);
  const [values, setValues] = useState<DeployFormValues>(emptyDeployForm);
  const [errors, setErrors] = useState<DeployErrors>({});
  const [tried, setTried] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const prefill = useDeploy((s) => s.prefill);

  // "Deploy again" from a finished deploy: its values replace the form's, and the form comes into view.
  useEffect(() => {
    if (!prefill) return;
    setValues(prefill.values);
    setErrors({});
    setTried(false);
    setFormError(null);
    document.getElementById('deploy-form-title')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [prefill]);

  const images = catalog?.images ?? [];
  // Until the operator picks one, the newest built image is the source.
  const current: DeployFormValues = { ...values, image: images.some((i) => i.ref === values.image) ? values.image : (images[0]?.ref ?? '') };

  function change(patch: Partial<DeployFormValues>): void {
    const next = { ...values, ...patch };
    setValues(next);
    if (tried) {
      const check = checkDeployForm({ ...current, ...patch });
      setErrors(check.ok ? {} : check.errors);
    }
  }

  async function send(request: DeployRequestInput): Promise<void> {
    if (starting) return;
    setFormError(null);
    const outcome = await start(request);
    if (outcome.ok) {
      document.getElementById('deploy-title')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
      return;
    }
    if (outcome.field === 'overwrite') {
      const target = DeployTarget.parse(request.target);
      setConfirming({ request, target: deployTargetText(target), detail: outcome.message });
      return;
    }
    const field = deployFieldOf(outcome.field);
    if (field) setErrors({ [field]: outcome.message });
    else setFormError(outcome.message);
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    setTried(true);
    const check = checkDeployForm(current);
    setErrors(check.ok ? {} : check.errors);
    if (check.ok) void send(check.request);
  }

  const targetText = (() => {
    const parsed = DeployTarget.safeParse(current.targetKind === 'ssh-rsync' ? { kind: 'ssh-rsync', node: current.node, path: current.path.trim() } : { kind: current.targetKind, path: current.path.trim() });
    return parsed.success ? deployTargetText(parsed.data) : null;
  })();

  return (
    <section className="panel deploy-form" aria-labelledby="deploy-form-title">
      <header className="panel__header">
        <h2 id="deploy-form-title" className="panel__title">Deploy an image</h2>
        <span className="panel__meta">{catalog ? `extensions from ${catalog.extensionDirs.join(', ')}` : 'Loading extensions…'}</span>
      </header>
      <form className="deploy-form__form" noValidate onSubmit={submit}>
        <Field id="deploy-image" label="Image" error={errors.image} hint={images.length === 0 ? <>No built image yet: <ViewLink view="builds">build an image first</ViewLink>.</> : undefined}>
          <select {...controlProps('deploy-image', errors.image)} className="input" value={current.image} onChange={(event) => change({ image: event.target.value })}>
            {images.length === 0 && <option value="">no built image</option>}
            {images.map((image) => (
              <option key={image.ref} value={image.ref}>
                {image.name} · {formatTime(image.builtAt)}
              </option>
            ))}
          </select>
        </Field>
        <ExtensionPicker available={catalog?.extensions ?? []} chosen={values.extensions} error={errors.extensions} onChange={(extensions) => change({ extensions })} />
        <EnvEditor rows={values.env} errors={errors} onChange={(env) => change({ env })} />
        <TargetFields values={values} errors={errors} onChange={change} />
        {formError && (
          <div className="alert" role="alert">
            {formError}
          </div>
        )}
        <div className="publish__actions">
          <button type="submit" className="button button--primary" disabled={starting || images.length === 0}>
            {starting ? 'Deploying…' : 'Deploy'}
          </button>
          {targetText && (
            <span className="muted" data-testid="deploy-target">
              Deploys to <code>{targetText}</code>
            </span>
          )}
        </div>
      </form>
      {confirming && (
        <ReplaceTargetDialog
          target={confirming.target}
          detail={confirming.detail}
          onReplace={() => void send({ ...confirming.request, overwrite: true })}
          onClose={() => setConfirming(null)}
        />
      )}
    </section>
  );
}
