/** This profile's localStorage, or null where it is refused (a locked-down profile): then nothing outlives a reload. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
