import type { PlotAnswer } from '../../../server/src/protocol/plot';

/**
 * "Show plot" in the page: the pictures the server draws for a `fn` or a network (netspec/plot),
 * each an SVG document shown as an image (so no script or style of it reaches the page), in a
 * dialog over the editor. Escape or the button closes it.
 */
export function showPlots(dialog: HTMLDialogElement, answer: PlotAnswer): void {
  dialog.replaceChildren();
  const head = document.createElement('header');
  const title = document.createElement('h2');
  title.textContent = answer.title;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.close());
  head.append(title, close);
  dialog.append(head);
  for (const item of answer.items) {
    const figure = document.createElement('figure');
    const img = document.createElement('img');
    img.alt = item.label;
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(item.svg)}`;
    const caption = document.createElement('figcaption');
    caption.textContent = `${item.label}: ${item.caption}`;
    figure.append(img, caption);
    dialog.append(figure);
  }
  dialog.showModal();
}
