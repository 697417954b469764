/**
 * A ref that moves keyboard focus to an element when it appears, such as a confirmation that replaced
 * the button which opened it: without it, focus would fall back to the page's start.
 */
export function focusOnMount(node: HTMLElement | null): void {
  node?.focus();
}
