/**
 * The settings the server asks for (workspace/configuration): the defaults of package.json's
 * `netspec.*` settings, compiled in by scripts/playground.js (the page has no settings UI, and the
 * extension's defaults are what a user sees first there too).
 */
declare const NETSPEC_SETTINGS: Record<string, unknown>;

/** A section as an object: `netspec.inlayHints` → `{ values: true, probeLoss: true, … }`; a whole key → its value. */
export function settingsSection(section: string | undefined): unknown {
  if (section === undefined) return null;
  if (section in NETSPEC_SETTINGS) return NETSPEC_SETTINGS[section];
  const prefix = section + '.';
  const entries = Object.entries(NETSPEC_SETTINGS).filter(([key]) => key.startsWith(prefix));
  return entries.length ? Object.fromEntries(entries.map(([key, value]) => [key.slice(prefix.length), value])) : null;
}
