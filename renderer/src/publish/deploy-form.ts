import { DeployRequest, secretName, type DeployRequestInput, type DeployTarget } from '../../../shared/contract/index.js';

export interface EnvRow {
  /** Stable across edits and reorders, for React keys and error placement. */
  id: number;
  name: string;
  value: string;
  /** Declared secret by the operator; a name that says so (PASSWORD, TOKEN…) is secret anyway. */
  secret: boolean;
}

/** The deploy form as typed: extensions in run order, the environment as rows. */
export interface DeployFormValues {
  image: string;
  extensions: string[];
  env: EnvRow[];
  targetKind: DeployTarget['kind'];
  path: string;
  node: string;
}

/** Keyed `image`, `extensions`, `env` or `env.<row id>`, `target.path`, `target.node`. */
export type DeployErrors = Record<string, string>;
export type DeployCheck = { ok: true; request: DeployRequestInput } | { ok: false; errors: DeployErrors };

/** Each kind's example path: switching kinds swaps it, but never a path the operator typed. */
const defaultPaths: Record<DeployTarget['kind'], string> = { tar: '/srv/deploy/lab-node.tar', rawdisk: '/srv/deploy/lab-node.img', 'ssh-rsync': '/srv/root' };

export function withTargetKind(values: Pick<DeployFormValues, 'targetKind' | 'path'>, kind: DeployTarget['kind']): Partial<DeployFormValues> {
  return values.path === defaultPaths[values.targetKind] ? { targetKind: kind, path: defaultPaths[kind] } : { targetKind: kind };
}

export const emptyDeployForm: DeployFormValues = {
  image: '',
  extensions: [],
  env: [{ id: 1, name: '', value: '', secret: false }],
  targetKind: 'tar',
  path: defaultPaths.tar,
  node: '',
};

export function addEnvRow(rows: readonly EnvRow[]): EnvRow[] {
  return [...rows, { id: Math.max(0, ...rows.map((r) => r.id)) + 1, name: '', value: '', secret: false }];
}

/** Moves the item at `index` by `by` places, staying inside the list. */
export function moveItem<T>(items: readonly T[], index: number, by: number): T[] {
  const to = Math.min(items.length - 1, Math.max(0, index + by));
  const next = [...items];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

function targetInput(values: DeployFormValues): Record<string, string> {
  const path = values.path.trim();
  return values.targetKind === 'ssh-rsync' ? { kind: values.targetKind, node: values.node, path } : { kind: values.targetKind, path };
}

/**
 * Checks the form with the contract's DeployRequest, so the form refuses what
 * the backend would. Blank environment rows are left out; a name given twice
 * is refused, since only one value could reach the extensions.
 */
export function checkDeployForm(values: DeployFormValues): DeployCheck {
  const errors: DeployErrors = {};
  if (values.image === '') errors.image = 'pick an image';
  if (values.targetKind === 'ssh-rsync' && values.node === '') errors['target.node'] = 'pick a node';
  // An empty field is missing, not a wrong path: said so even when it only just appeared (a new target kind).
  if (values.path.trim() === '') errors['target.path'] = 'required';

  const rows = values.env.filter((r) => r.name.trim() !== '' || r.value !== '');
  const seen = new Set<string>();
  for (const row of rows) {
    const name = row.name.trim();
    if (name === '') errors[`env.${row.id}`] = 'a value needs a name';
    else if (seen.has(name)) errors[`env.${row.id}`] = `${name} is set twice`;
    seen.add(name);
  }

  const input = {
    image: values.image,
    extensions: values.extensions,
    env: Object.fromEntries(rows.map((r) => [r.name.trim(), r.value])),
    // Only what the name alone would not mask: the request says exactly what the operator declared.
    secrets: rows.filter((r) => r.secret && r.name.trim() !== '' && !secretName.test(r.name.trim())).map((r) => r.name.trim()),
    target: targetInput(values),
  };
  const parsed = DeployRequest.safeParse(input);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [area, detail] = issue.path;
    const row = area === 'env' ? rows.find((r) => r.name.trim() === detail) : undefined;
    const key = area === 'target' ? `target.${String(detail)}` : row ? `env.${row.id}` : String(area);
    // A refused record key carries the key schema's own message inside.
    errors[key] ??= issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  }
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, request: parsed.data };
  return { ok: false, errors };
}

/** The form's key for a field the backend names (`extensions.2`, `target.node`); `overwrite` is a question, not an error. */
export function deployFieldOf(field: string | null): string | null {
  if (field === null || field === 'overwrite') return null;
  if (field === 'target.node' || field === 'target.path') return field;
  const area = field.split('.')[0]!;
  return ['image', 'extensions', 'env'].includes(area) ? area : null;
}

/** How the backend shows a secret's value (`maskedEnvironment`): never the value itself. */
const masked = '********';

/**
 * "Deploy again": the form as a finished deploy had it. Secret values were
 * never kept, so their rows come back empty and marked secret, for the
 * operator to type again.
 */
export function formFromDeploy(deploy: { image: string; extensions: readonly string[]; target: string }, env: Readonly<Record<string, string>>): DeployFormValues {
  const [kind = 'tar', ...rest] = deploy.target.split(':');
  const targetKind: DeployTarget['kind'] = kind === 'ssh-rsync' || kind === 'rawdisk' ? kind : 'tar';
  // ssh-rsync:NODE:PATH (a node name holds no ':'); tar:PATH and rawdisk:PATH.
  const node = targetKind === 'ssh-rsync' ? (rest[0] ?? '') : '';
  const path = (targetKind === 'ssh-rsync' ? rest.slice(1) : rest).join(':');
  const rows = Object.entries(env).map(([name, value], index) => ({ id: index + 1, name, value: value === masked ? '' : value, secret: value === masked }));
  return {
    image: deploy.image,
    extensions: [...deploy.extensions],
    env: rows.length > 0 ? rows : emptyDeployForm.env,
    targetKind,
    path,
    node,
  };
}
