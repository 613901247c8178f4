/** Exponential backoff with full jitter, capped: attempt 0 → up to 250 ms, then 500 ms, 1 s… up to 5 s. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5_000, 250 * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
