/**
 * The text kept in the browser (localStorage), so a reload, a closed tab or a restarted server
 * loses nothing. Storage can be missing or full (a private window, a quota): then the page
 * works on, keeping the text in the address only.
 */
const KEY = 'netspec.playground.text';

export function storedText(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Stores the text; false when the browser refused. */
export function storeText(text: string): boolean {
  try {
    localStorage.setItem(KEY, text);
    return true;
  } catch {
    return false;
  }
}
