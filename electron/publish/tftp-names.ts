/** arch, subarch, release and purpose become path components: one plain name each. */
export function checkTftpName(field: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(value) || value.includes('..')) {
    throw new Error(`${field}: "${value}" must be one plain name (letters, digits, ".", "_", "+", "-"; no "/", no "..")`);
  }
  return value;
}
