/**
 * Turns one step into the message for one contact: personalised subject and bodies, an unsubscribe
 * link in every body, the open pixel and click redirects in HTML, and the RFC 8058 headers.
 */
import { composeMessage } from '../../integrations/mail/compose-message';
import { instrumentHtml, unsubscribeUrl, type TrackingTokens } from '../../domain/links/tracking-tokens';
import { renderTemplate, type TemplateValues } from '../../domain/sequences/template';

export interface RenderEmailInput {
  sendId: string;
  messageId: string;
  step: { subject: string; html: string | null; text: string | null };
  to: string;
  values: TemplateValues;
  from: { address: string; name?: string };
  baseUrl: string;
  tokens: TrackingTokens;
  date: Date;
}

export interface RenderedEmail {
  raw: Buffer;
  messageId: string;
  hasHtml: boolean;
  /** Original URLs of the rewritten links, by index (the click redirect's only targets). */
  links: string[];
}

const escapeAttr = (url: string) => url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

function withHtmlFooter(html: string, unsubscribe: string): string {
  const footer = `<p style="font-size:12px;color:#666">Don't want these emails? <a href="${escapeAttr(unsubscribe)}">Unsubscribe</a>.</p>`;
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : `${html}${footer}`;
}

export async function renderEmail(input: RenderEmailInput): Promise<RenderedEmail> {
  const unsubscribe = unsubscribeUrl(input.baseUrl, input.tokens, input.sendId);
  const subject = renderTemplate(input.step.subject, input.values, { escapeHtml: false });
  const text = input.step.text === null ? undefined : `${renderTemplate(input.step.text, input.values, { escapeHtml: false })}\n\n--\nUnsubscribe: ${unsubscribe}\n`;

  let html: string | undefined;
  let links: string[] = [];
  if (input.step.html !== null) {
    // The unsubscribe link goes in first; instrumentHtml leaves /u/ links alone, so it is never a redirect.
    const personalised = withHtmlFooter(renderTemplate(input.step.html, input.values, { escapeHtml: true }), unsubscribe);
    ({ html, links } = instrumentHtml(personalised, { baseUrl: input.baseUrl, sendId: input.sendId, tokens: input.tokens }));
  }

  const { raw, messageId } = await composeMessage({
    messageId: input.messageId,
    from: input.from,
    to: input.to,
    subject,
    html,
    text,
    unsubscribeUrl: unsubscribe,
    date: input.date,
  });
  return { raw, messageId, hasHtml: html !== undefined, links };
}
