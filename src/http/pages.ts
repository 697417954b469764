/** The few HTML pages a browser sees during an OAuth flow: plain, escaped, and saying what to do next. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** A same-origin POST form: hidden fields, at most one secret the person types, and its buttons. */
export interface PageForm {
  action: string;
  hidden: Record<string, string>;
  /** A password-type field (the sign-in form's access token). */
  secret?: { name: string; label: string };
  buttons: { name: string; value: string; label: string }[];
}

/** A same-origin link onward, such as back into the web app. */
export interface PageLink {
  href: string;
  label: string;
}

/** A page with a title, lines of text and, optionally, a form and a link onward. */
export function resultPage(
  title: string,
  lines: string[],
  ok: boolean,
  form?: PageForm,
  link?: PageLink,
): string {
  const body = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n    ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(title)} · talentsync</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #1f2933; }
      h1 { font-size: 1.4rem; color: ${ok ? '#1b7f3b' : '#b42318'}; }
      label, input { display: block; width: 100%; margin: 0.5rem 0; }
      button { margin: 0.5rem 0.5rem 0 0; font: inherit; }
      a { color: #1d4ed8; }
    </style>
  </head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    ${body}
    ${form ? renderForm(form) : ''}
    ${link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ''}
  </body>
</html>
`;
}

function renderForm(form: PageForm): string {
  const hidden = Object.entries(form.hidden).map(
    ([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
  );
  const secret = form.secret
    ? [
        `<label for="${escapeHtml(form.secret.name)}">${escapeHtml(form.secret.label)}</label>`,
        `<input type="password" id="${escapeHtml(form.secret.name)}" name="${escapeHtml(form.secret.name)}" autocomplete="off" required>`,
      ]
    : [];
  const buttons = form.buttons.map(
    (button) =>
      `<button type="submit" name="${escapeHtml(button.name)}" value="${escapeHtml(button.value)}">${escapeHtml(button.label)}</button>`,
  );
  return `<form method="post" action="${escapeHtml(form.action)}">
      ${[...hidden, ...secret, ...buttons].join('\n      ')}
    </form>`;
}
