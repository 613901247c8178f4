/** Remembers the last result: a selector over unchanged inputs gives the same array, so React does not render again. */
export function lastResult<A extends readonly unknown[], R>(compute: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | null = null;
  return (...args: A) => {
    if (last && last.args.every((arg, i) => Object.is(arg, args[i]))) return last.result;
    const result = compute(...args);
    last = { args, result };
    return result;
  };
}
