import { createHash } from 'node:crypto';
import { MAX_SURVEY_COMMENT } from '../../protocol/domain.ts';

/**
 * The survey page's HTML (issue 12 §2): mobile first, no script at all, one plain form that posts back to the
 * page. The only style is the inline sheet below, allowed by its hash in the Content-Security-Policy; every
 * text that came from somewhere else (names, the customer's own comment) is escaped.
 */

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#4a525c;--line:#8a939e;--accent:#1f5fbf;--accent-text:#fff;--error:#a4161a}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--card:#1f2329;--text:#eef1f4;--muted:#c2c8cf;--line:#7d8691;--accent:#8ab4f8;--accent-text:#0b1a33;--error:#ffb4ab}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--text)}
main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:var(--card);border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .5rem}
p{margin:.5rem 0}
.muted{color:var(--muted)}
fieldset{border:0;margin:1rem 0;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.scale{display:grid;grid-template-columns:repeat(5,1fr);gap:.5rem}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale label{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:3.25rem;border:2px solid var(--line);border-radius:10px;font-size:1.25rem;font-weight:700;cursor:pointer}
.scale label small{font-size:.7rem;font-weight:400;color:var(--muted);text-align:center;line-height:1.2}
.scale input:checked+label{background:var(--accent);border-color:var(--accent);color:var(--accent-text)}
.scale input:checked+label small{color:var(--accent-text)}
.scale input:focus-visible+label{outline:3px solid var(--accent);outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:var(--muted);margin-top:.25rem}
label.comment{display:block;font-weight:600;margin:1rem 0 .25rem}
textarea{width:100%;min-height:6rem;font:inherit;color:inherit;background:transparent;border:2px solid var(--line);border-radius:10px;padding:.5rem}
textarea:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
button{margin-top:1rem;width:100%;min-height:3rem;font:inherit;font-weight:700;border:0;border-radius:10px;background:var(--accent);color:var(--accent-text);cursor:pointer}
button:focus-visible{outline:3px solid var(--text);outline-offset:2px}
.error{color:var(--error);font-weight:600}
`;

/** Allows exactly the sheet above, and nothing else: no script, no frames, posts only back to this server. */
export const SURVEY_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LABELS = ['Very unhappy', 'Unhappy', 'Neutral', 'Happy', 'Very happy'];

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><div class="card">${body}</div></main></body></html>
`;
}

export interface SurveyFormPage {
  organisation: string;
  inbox: string;
  /** What the customer posted (shown again with the error). */
  rating?: number | null;
  comment?: string;
  error?: string | null;
}

export function surveyFormPage(page: SurveyFormPage): string {
  const who = page.inbox ? `${page.organisation} (${page.inbox})` : page.organisation;
  const options = LABELS.map((label, i) => {
    const n = i + 1;
    const checked = page.rating === n ? ' checked' : '';
    return `<input type="radio" id="r${n}" name="rating" value="${n}"${checked}><label for="r${n}">${n}<small>${label}</small></label>`;
  }).join('');
  const error = page.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(page.error)}</p>` : '';
  return layout(
    'How did we do?',
    `<h1>How did we do?</h1>
<p class="muted">Your conversation with ${escapeHtml(who)}. One answer per survey; it takes a few seconds.</p>
${error}<form method="post">
<fieldset${page.error ? ' aria-describedby="form-error"' : ''}><legend>How satisfied are you, from 1 to 5?</legend>
<div class="scale">${options}</div><div class="ends" aria-hidden="true"><span>1 = very unhappy</span><span>5 = very happy</span></div></fieldset>
<label class="comment" for="comment">Anything you would like to add? (optional)</label>
<textarea id="comment" name="comment" maxlength="${MAX_SURVEY_COMMENT}">${escapeHtml(page.comment ?? '')}</textarea>
<button type="submit">Send my answer</button>
</form>`,
  );
}

export function surveyMessagePage(title: string, lines: string[]): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}`);
}

export const SURVEY_PAGES = {
  thanks: (rating: number) => surveyMessagePage('Thank you!', [`We received your rating of ${rating} out of 5. It helps us get better.`]),
  alreadyAnswered: () => surveyMessagePage('Already answered', ['This survey has already been answered — thank you. Each survey takes one answer.']),
  expired: () => surveyMessagePage('This survey has expired', ['Surveys can be answered for 7 days after they are sent, and this one is older than that. Thank you all the same.']),
  notFound: () => surveyMessagePage('Survey not found', ['This survey link is not valid. Check that the whole link was copied.']),
  unreadable: (why: string) => surveyMessagePage('That did not work', [why]),
};
