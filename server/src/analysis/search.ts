/**
 * How many of the first of n items `holds` is true of, where it holds of a first run of them and
 * then of none (items in order, by their offsets): a binary search, which reads a few of them
 * where a scan would read every one, as the editor's analysis does on every keystroke.
 */
export function countWhile(n: number, holds: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holds(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
