/**
 * One email's body, inert: in an `<iframe srcdoc>` sandboxed without `allow-scripts` (no script, no event
 * handler, no `javascript:` link runs) and never with `allow-same-origin` (the frame is an opaque origin:
 * it can reach neither this page nor the session), forms are not allowed either, and the document
 * carries its own CSP: no request at all leaves the frame, remote images included (tracking pixels),
 * until the reader asks to show images. Links open in a new tab, `noopener`, and only http(s)/mailto.
 * An overlay cannot leave the frame, which has a fixed size.
 */
import { useMemo, useState } from 'react';

const BLOCKED = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";
const IMAGES = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; font-src data:";

export function MailBody({
  html,
  text,
  title,
}: {
  html: string | null | undefined;
  text: string;
  title: string;
}) {
  const [showImages, setShowImages] = useState(false);
  const { document, remoteImages } = useMemo(
    () => frameDocument(html, text, showImages),
    [html, text, showImages],
  );
  return (
    <div className="mail-body">
      {remoteImages && !showImages && (
        <p className="muted">
          Remote images are blocked, so the sender cannot tell you opened this.{' '}
          <button type="button" className="link" onClick={() => setShowImages(true)}>
            Show images
          </button>
        </p>
      )}
      <iframe title={title} sandbox="allow-popups allow-popups-to-escape-sandbox" srcDoc={document} />
    </div>
  );
}

/** The frame's document: the message parsed inertly (DOMParser runs nothing), links and policy set. */
function frameDocument(
  html: string | null | undefined,
  text: string,
  showImages: boolean,
): { document: string; remoteImages: boolean } {
  const parsed = new DOMParser().parseFromString(html ?? '', 'text/html');
  if (!html) parsed.body.replaceChildren(Object.assign(parsed.createElement('pre'), { textContent: text }));
  for (const element of parsed.querySelectorAll('script, iframe, object, embed, form, base, meta, link'))
    element.remove();
  for (const link of parsed.querySelectorAll('a')) {
    const href = link.getAttribute('href') ?? '';
    if (!/^(https?:|mailto:)/i.test(href.trim())) link.removeAttribute('href');
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
  }
  // The server keeps a remote image's URL in `data-remote-src` (never in `src`): put back only on request.
  const remote = [...parsed.querySelectorAll('img')].filter(
    (img) =>
      /^https?:/i.test(img.getAttribute('data-remote-src') ?? '') ||
      /^https?:/i.test(img.getAttribute('src') ?? ''),
  );
  for (const img of remote) {
    const url = img.getAttribute('data-remote-src') ?? img.getAttribute('src') ?? '';
    if (showImages) img.setAttribute('src', url);
    else img.removeAttribute('src');
  }
  const remoteImages = remote.length > 0;
  const policy = parsed.createElement('meta');
  policy.setAttribute('http-equiv', 'Content-Security-Policy');
  policy.setAttribute('content', showImages ? IMAGES : BLOCKED);
  const style = parsed.createElement('style');
  style.textContent =
    'body{font:15px/1.5 system-ui,sans-serif;margin:0.75rem;color:#1f2933;word-wrap:break-word} pre{white-space:pre-wrap;font:inherit} img{max-width:100%}';
  parsed.head.prepend(policy, style);
  return { document: `<!doctype html>${parsed.documentElement.outerHTML}`, remoteImages };
}
