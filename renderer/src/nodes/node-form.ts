import { NodeSpec } from '../../../shared/contract/index.js';

/** The node form as typed: every field a string, labels comma separated. */
export interface NodeFormValues {
  name: string;
  host: string;
  port: string;
  user: string;
  identity: string;
  jump: string;
  labels: string;
  /** The boot NIC's MAC, for netboot; empty for none. */
  mac: string;
  /** arch/subarch/release/purpose it netboots; empty: its local disk. */
  netboot: string;
}

export type NodeField = keyof NodeFormValues;
export type FieldErrors = Partial<Record<NodeField, string>>;
export type FormCheck = { ok: true; spec: NodeSpec } | { ok: false; errors: FieldErrors };

export const nodeFields: readonly NodeField[] = ['name', 'host', 'port', 'user', 'identity', 'jump', 'labels', 'mac', 'netboot'];

export const emptyNodeForm: NodeFormValues = { name: '', host: '', port: '22', user: '', identity: '', jump: '', labels: '', mac: '', netboot: '' };

export function formValuesOf(spec: NodeSpec): NodeFormValues {
  return {
    name: spec.name,
    host: spec.host,
    port: String(spec.port),
    user: spec.user,
    identity: spec.identity ?? '',
    jump: spec.jump ?? '',
    labels: spec.labels.join(', '),
    mac: spec.mac ?? '',
    netboot: spec.netboot ?? '',
  };
}

export function splitLabels(text: string): string[] {
  return text
    .split(',')
    .map((label) => label.trim())
    .filter(Boolean);
}

const portMessage = 'must be a port number from 1 to 65535';

/**
 * Checks the form with the contract's own NodeSpec, so the form and the
 * backend agree; each field gets its first problem. Empty optional fields
 * take the contract's defaults (port 22, user root, no identity or jump).
 */
export function checkNodeForm(values: NodeFormValues): FormCheck {
  const errors: FieldErrors = {};
  const port = values.port.trim();
  if (port !== '' && !/^\d+$/.test(port)) errors.port = portMessage;
  const labels = splitLabels(values.labels);
  const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());
  const parsed = NodeSpec.safeParse({
    name: values.name.trim(),
    host: values.host.trim(),
    port: port === '' || errors.port ? undefined : Number(port),
    user: optional(values.user),
    identity: optional(values.identity) ?? null,
    jump: optional(values.jump) ?? null,
    labels,
    // Left out when empty: a node that does not netboot has neither in its inventory entry.
    ...(optional(values.mac) ? { mac: optional(values.mac) } : {}),
    ...(optional(values.netboot) ? { netboot: optional(values.netboot) } : {}),
  });
  if (parsed.success && !errors.port) return { ok: true, spec: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = issue.path[0] as NodeField;
    if (errors[field]) continue;
    if (field === 'port') errors.port = portMessage;
    else if (field === 'labels' && typeof issue.path[1] === 'number') errors.labels = `"${labels[issue.path[1]]}" ${issue.message}`;
    else errors[field] = issue.message;
  }
  return { ok: false, errors };
}

/** The form field a backend error names (`node.port`, `name`, `labels.1`), if it is one of the form's. */
export function formFieldOf(field: string | undefined): NodeField | null {
  const first = field?.replace(/^node\./, '').split('.')[0];
  return nodeFields.find((f) => f === first) ?? null;
}
