/**
 * The one Content-Security-Policy of the renderer, shared by the Electron shell
 * and the browser host so both hosts run the page under the same rules. The
 * renderer is a bundle of same-origin files with no inline code; everything it
 * needs from the outside reaches it through the IPC contract, so the only
 * difference between hosts is the socket the browser host's page talks over.
 */
export interface ContentSecurityPolicyOptions {
  /** Extra connect-src sources (the browser host's own ws:// origin); none in Electron, whose page uses IPC. */
  connectSources?: readonly string[];
}

export function contentSecurityPolicy(options: ContentSecurityPolicyOptions = {}): string {
  const connect = options.connectSources?.length ? options.connectSources.join(' ') : "'none'";
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    // Vue applies bound styles through the CSSOM, which style-src does not govern; no inline <style> needed.
    ['style-src', "'self'"],
    ['img-src', "'self' data: blob:"],
    ['font-src', "'self' data:"],
    // Audio attachments and voice notes: /attachments/… in the browser host, blob: URLs in Electron.
    ['media-src', "'self' blob:"],
    ['connect-src', connect],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'none'"],
  ];
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}
