import { NetbootSource, NetbootTarget, type RequestOf } from '../../../shared/contract/index.js';

/** The publish form as typed. `image` empty: the backend's choice (the build's boot image, else its first). */
export interface PublishFormValues {
  sourceKind: 'build' | 'files';
  buildId: string;
  image: string;
  kernel: string;
  initrd: string;
  arch: string;
  subarch: string;
  release: string;
  purpose: string;
}

export type PublishField = Exclude<keyof PublishFormValues, 'sourceKind'>;
export type PublishErrors = Partial<Record<PublishField, string>>;
export type PublishCheck = { ok: true; request: RequestOf<'publish.netboot'> } | { ok: false; errors: PublishErrors };

export const publishFields: readonly PublishField[] = ['buildId', 'image', 'kernel', 'initrd', 'arch', 'subarch', 'release', 'purpose'];

export const emptyPublishForm: PublishFormValues = {
  sourceKind: 'build',
  buildId: '',
  image: '',
  kernel: '',
  initrd: '',
  arch: 'amd64',
  subarch: 'generic',
  release: 'bookworm',
  purpose: 'install',
};

const [buildSource, filesSource] = NetbootSource.options;

/**
 * Checks the form with the contract's own schemas, so the form refuses what
 * the backend would; each field gets its first problem. An empty subarch
 * takes the contract's default (generic).
 */
export function checkPublishForm(values: PublishFormValues): PublishCheck {
  const errors: PublishErrors = {};
  const target = NetbootTarget.safeParse({
    arch: values.arch.trim(),
    subarch: values.subarch.trim() === '' ? undefined : values.subarch.trim(),
    release: values.release.trim(),
    purpose: values.purpose.trim(),
  });
  for (const field of ['arch', 'release', 'purpose'] as const) if (values[field].trim() === '') errors[field] = 'required';
  for (const issue of target.success ? [] : target.error.issues) {
    const field = issue.path[0] as PublishField;
    errors[field] ??= issue.message;
  }

  const source =
    values.sourceKind === 'build'
      ? buildSource.safeParse({ kind: 'build', buildId: values.buildId, ...(values.image ? { image: values.image } : {}) })
      : filesSource.safeParse({ kind: 'files', kernel: values.kernel.trim(), initrd: values.initrd.trim() });
  if (values.sourceKind === 'build' && values.buildId === '') errors.buildId = 'pick a finished build';
  // An empty file is missing, not a wrong path: said so even when the field only just appeared (source switched).
  if (values.sourceKind === 'files') for (const field of ['kernel', 'initrd'] as const) if (values[field].trim() === '') errors[field] = 'required';
  for (const issue of source.success ? [] : source.error.issues) {
    const field = issue.path[0] as PublishField;
    errors[field] ??= issue.message;
  }

  if (target.success && source.success && Object.keys(errors).length === 0) return { ok: true, request: { target: target.data, source: source.data } };
  return { ok: false, errors };
}

/** The form field a backend error names (`target.purpose`, `source.kernel`), if it is one of the form's. */
export function publishFieldOf(field: string | null): PublishField | null {
  const last = field?.replace(/^(target|source)\./, '');
  return publishFields.find((f) => f === last) ?? null;
}
