// Checks that run inside a page (Playwright's page.evaluate): what a reader would find cut off.
// Each returns a list of problems, empty when the page is fine. They must stay self-contained
// functions: Playwright sends their source to the browser.

/**
 * Long lines: the page itself never scrolls sideways; example files (Expressive Code) and commands
 * wrap; a terminal's output may be wider than its box only if the box scrolls, and no ancestor clips
 * a block narrower than it is.
 */
export function cutOffLines(): string[] {
  const problems: string[] = [];
  const where = (el: Element) =>
    `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 60)}"`;
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) problems.push(`the page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  for (const pre of document.querySelectorAll<HTMLElement>('.sl-markdown-content pre')) {
    const wider = pre.scrollWidth > pre.clientWidth + 1;
    const overflow = getComputedStyle(pre).overflowX;
    if (pre.closest('.expressive-code') && wider) problems.push(`example file does not wrap: ${where(pre)}`);
    if (wider && overflow !== 'auto' && overflow !== 'scroll') problems.push(`cut off (overflow-x ${overflow}): ${where(pre)}`);
    const box = pre.getBoundingClientRect();
    for (let el = pre.parentElement; el && el !== document.body; el = el.parentElement) {
      if (getComputedStyle(el).overflowX === 'visible') continue;
      const clip = el.getBoundingClientRect();
      if (box.right > clip.right + 1 || box.left < clip.left - 1) problems.push(`clipped by ${where(el)}: ${where(pre)}`);
      break;
    }
  }
  for (const command of document.querySelectorAll<HTMLElement>('.dvm-term .dvm-cmd')) {
    const pre = command.closest('pre')!;
    const inner = pre.getBoundingClientRect().right - parseFloat(getComputedStyle(pre).paddingRight);
    // A box that starts past the edge is a space hanging at the end of a wrapped line, not text.
    const over = [...command.getClientRects()].some((r) => r.left < inner - 1 && r.right > inner + 1);
    if (over) problems.push(`command does not wrap: ${where(command)}`);
  }
  return problems;
}

/**
 * Select boxes show only the chosen option, cut at their edge: every option's text must fit the box
 * (its padding and the arrow aside).
 */
export function truncatedOptions(selector: string): string[] {
  const ARROW_PX = 24;
  const canvas = document.createElement('canvas').getContext('2d')!;
  const problems: string[] = [];
  for (const select of document.querySelectorAll<HTMLSelectElement>(selector)) {
    if (select.getClientRects().length === 0) continue; // hidden (e.g. a custom image's fields)
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - ARROW_PX;
    for (const option of select.options) {
      const width = canvas.measureText(option.text).width;
      if (width > room) problems.push(`${select.name || select.id}: "${option.text}" needs ${Math.ceil(width)}px, has ${Math.floor(room)}px`);
    }
  }
  return problems;
}
