/**
 * The request target (the path and query of the request line), parsed once and safely at the
 * HTTP boundary: routes get a URL and decoded path segments and never parse `req.url` themselves.
 */
export interface RequestTarget {
  /** Origin-form targets resolve against http://localhost; dot segments are removed, the query is parsed. */
  readonly url: URL;
  /** `url.pathname`, still percent-encoded: what fixed routes are matched against. */
  readonly path: string;
  /** The path's segments with their percent-escapes decoded (a `%2F` stays inside its segment). */
  readonly segments: readonly string[];
}

/** A request target that is not a URL path we can read: answered 400 by the boundary. */
export class MalformedTarget extends Error {
  constructor(readonly reason: string) {
    super(`malformed request target: ${reason}`);
  }
}

const ABSOLUTE_FORM = /^https?:\/\//i;

/** Throws MalformedTarget for anything but an origin-form (`/…`) or absolute-form (`http://…`) target with valid escapes. */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  if (!raw) throw new MalformedTarget('empty');
  if (!raw.startsWith('/') && !ABSOLUTE_FORM.test(raw)) throw new MalformedTarget('not a path');
  let url: URL;
  try {
    // Concatenated, not resolved: `//host/x` is a path here, not another host.
    url = new URL(raw.startsWith('/') ? `http://localhost${raw}` : raw);
  } catch {
    throw new MalformedTarget('not a URL');
  }
  let segments: string[];
  try {
    segments = url.pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    throw new MalformedTarget('bad percent-escape');
  }
  return { url, path: url.pathname, segments };
}

/** The decoded rest of the path after `prefix` (which ends in `/`), or null when the path is not under it. */
export function pathAfter(target: RequestTarget, prefix: string): string | null {
  if (!target.path.startsWith(prefix)) return null;
  const depth = prefix.split('/').length - 2;
  return target.segments.slice(depth).join('/');
}
