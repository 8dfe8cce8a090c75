import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES } from '../../protocol/attachments.ts';
import { WEBCHAT_PATHS, WEBCHAT_VISITOR_HEADER } from '../../protocol/webchat.ts';
import type { RequestTarget } from '../../boundary/request-target.ts';
import type { Domain } from '../domain/domain.ts';
import { webchatAttachmentRoute, type WebchatGate } from './uploads.ts';

/** What the widget checks before an upload: the same limits the server enforces (protocol/attachments.ts). */
const widgetConfig = {
  attachmentsPath: WEBCHAT_PATHS.attachments,
  visitorHeader: WEBCHAT_VISITOR_HEADER,
  types: ATTACHMENT_TYPES,
  maxFiles: ATTACHMENT_LIMITS.maxFiles,
  maxTotalBytes: ATTACHMENT_LIMITS.maxTotalBytes,
};
const widgetSource = readFileSync(new URL('./widget.js', import.meta.url), 'utf8').replace(
  '/*SWITCHBOARD_CONFIG*/ null',
  JSON.stringify(widgetConfig),
);

/** The demo's Sales web chat widget key (server/domain/demo-seed.ts). */
export const DEMO_WIDGET_KEY = 'widget-sales';

const demoPage = (widgetKey: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind Outfitters (web chat demo)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; margin: 40px; color: #222">
<h1>Northwind Outfitters</h1>
<p>A pretend customer website. The chat button in the corner is the Switchboard web chat widget of the
demo's <strong>Sales</strong> inbox; replies come from agents signed in to Switchboard.</p>
<script src="${WEBCHAT_PATHS.widget}" data-channel="${widgetKey}"></script>
</body></html>
`;

/**
 * GET /widget.js (always), GET /webchat-demo (demo mode) and, given the hub, the visitor attachment
 * routes (uploads.ts): null for other paths, else the handling (the HTTP boundary answers its failures).
 */
export function createWebchatHttp(options: {
  demo: boolean;
  domain?: Domain;
  hub?: WebchatGate;
}): (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void> | null {
  const { domain, hub } = options;
  return (req, res, target) => {
    const attachments = domain && hub ? webchatAttachmentRoute(domain, hub, req, res, target) : null;
    if (attachments) return attachments;
    const page =
      target.path === WEBCHAT_PATHS.widget
        ? { type: 'text/javascript; charset=utf-8', body: widgetSource }
        : target.path === WEBCHAT_PATHS.demo && options.demo
          ? { type: 'text/html; charset=utf-8', body: demoPage(DEMO_WIDGET_KEY) }
          : null;
    if (!page) return null;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return Promise.resolve();
    }
    res.writeHead(200, {
      'content-type': page.type,
      'content-length': Buffer.byteLength(page.body),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The widget is embedded on other sites.
      ...(target.path === WEBCHAT_PATHS.widget ? { 'cross-origin-resource-policy': 'cross-origin' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : page.body);
    return Promise.resolve();
  };
}
