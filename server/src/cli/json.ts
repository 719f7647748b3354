/**
 * JSON for the CLI. A value that is not finite is written as the string "NaN", "Infinity" or
 * "-Infinity" (docs/LANGUAGE.md, *Command line*), since JSON has no such numbers.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
