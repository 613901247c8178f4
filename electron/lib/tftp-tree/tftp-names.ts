import { TftpName } from '../../../shared/contract/index.js';

/** arch, subarch, release and purpose become path components: one plain name each. */
export function checkTftpName(field: string, value: string): string {
  const parsed = TftpName.safeParse(value);
  if (!parsed.success) throw new Error(`${field}: "${value}" ${parsed.error.issues[0]!.message}`);
  return value;
}
