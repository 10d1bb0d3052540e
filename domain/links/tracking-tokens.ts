import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, opaque tokens for the open pixel, click redirects and one-click unsubscribe.
 * They carry only a send id (and a link index), never personal data, and work without auth.
 */
export type TrackingPayload = { k: 'o'; s: string } | { k: 'c'; s: string; l: number } | { k: 'u'; s: string };

export interface TrackingTokens {
  sign(payload: TrackingPayload): string;
  verify(token: string): TrackingPayload | null;
}

export function createTrackingTokens(secret: string): TrackingTokens {
  const mac = (body: string) => createHmac('sha256', secret).update(body).digest('base64url').slice(0, 32);
  return {
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    verify(token) {
      const [body, sig] = token.split('.');
      if (!body || !sig || body.length > 400) return null;
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(sig);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TrackingPayload;
        if (typeof p.s !== 'string' || !['o', 'c', 'u'].includes(p.k)) return null;
        if (p.k === 'c' && !Number.isInteger(p.l)) return null;
        return p;
      } catch {
        return null;
      }
    },
  };
}

export const unsubscribeUrl = (baseUrl: string, tokens: TrackingTokens, sendId: string) => `${baseUrl}/u/${tokens.sign({ k: 'u', s: sendId })}`;

/**
 * Rewrites http(s) links to click redirects and appends the open pixel. Returns the original
 * URLs by index: the redirect only ever goes to one of these (no open redirect).
 */
export function instrumentHtml(html: string, opts: { baseUrl: string; sendId: string; tokens: TrackingTokens }): { html: string; links: string[] } {
  const links: string[] = [];
  const rewritten = html.replace(/(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi, (_m, prefix: string, quote: string, url: string) => {
    const decoded = url.replace(/&amp;/g, '&');
    if (decoded.startsWith(`${opts.baseUrl}/u/`)) return `${prefix}${quote}${url}${quote}`;
    links.push(decoded);
    const token = opts.tokens.sign({ k: 'c', s: opts.sendId, l: links.length - 1 });
    return `${prefix}${quote}${opts.baseUrl}/t/c/${token}${quote}`;
  });
  const pixel = `<img src="${opts.baseUrl}/t/o/${opts.tokens.sign({ k: 'o', s: opts.sendId })}.gif" width="1" height="1" alt="" style="display:none">`;
  const withPixel = /<\/body>/i.test(rewritten) ? rewritten.replace(/<\/body>/i, `${pixel}</body>`) : `${rewritten}${pixel}`;
  return { html: withPixel, links };
}
