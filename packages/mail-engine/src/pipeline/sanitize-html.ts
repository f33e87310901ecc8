import sanitizeHtml from 'sanitize-html';

/**
 * Inline images are stored as attachments; their `src` holds this scheme plus the attachment id until the API
 * swaps it for a short-lived signed URL at read time (a URL stored in the body would expire).
 */
export const ATTACHMENT_PLACEHOLDER_SCHEME = 'correio-attachment:';

export interface SanitizeOptions {
  /** Content-ID without `<>` → attachment id, for the `cid:` images of this message. */
  cidMap: ReadonlyMap<string, string>;
  /** Remote images are tracking pixels more often than not, so they load only when the user asks. */
  allowRemoteImages?: boolean;
}

export interface SanitizedHtml {
  html: string;
  /** Remote images whose URL was moved to `data-blocked-src`, for a "load remote images" offer. */
  blockedRemoteImages: number;
}

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'big', 'blockquote', 'br', 'caption', 'center', 'code', 'col', 'colgroup', 'dd', 'div', 'dl', 'dt',
  'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'li', 'ol', 'p', 'pre', 's', 'small', 'span',
  'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
];

// No class or id: they would let a mail pick up, or clobber, the styles and elements of the page showing it.
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style', 'align', 'valign', 'dir', 'lang', 'title'],
  a: ['href', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'data-blocked-src'],
  font: ['color', 'size', 'face'],
  table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor'],
  tr: ['height', 'bgcolor'],
  td: ['width', 'height', 'bgcolor', 'colspan', 'rowspan', 'nowrap'],
  th: ['width', 'height', 'bgcolor', 'colspan', 'rowspan', 'nowrap'],
  col: ['width', 'span'],
  colgroup: ['width', 'span'],
  ol: ['start', 'type'],
  li: ['value'],
};

const SIDES = ['top', 'right', 'bottom', 'left'];
const ALLOWED_STYLE_PROPERTIES = [
  'color', 'background', 'background-color',
  'font', 'font-family', 'font-size', 'font-style', 'font-variant', 'font-weight',
  'text-align', 'text-decoration', 'text-indent', 'text-transform', 'letter-spacing', 'word-spacing',
  'line-height', 'vertical-align', 'display', 'white-space', 'list-style-type',
  'width', 'height', 'min-width', 'max-width', 'min-height', 'max-height',
  'margin', 'padding', ...SIDES.flatMap((side) => [`margin-${side}`, `padding-${side}`]),
  'border', 'border-width', 'border-style', 'border-color', 'border-collapse', 'border-spacing', 'border-radius',
  ...SIDES.flatMap((side) => [`border-${side}`, `border-${side}-width`, `border-${side}-style`, `border-${side}-color`]),
];
// Values that fetch or render something (url, image-set, cross-fade, -moz-element), run something (expression,
// behavior) or hide either behind CSS escapes are refused whatever the property. `position` is not allowed at all,
// so a mail cannot lay an overlay over the UI.
const SAFE_STYLE_VALUE = /^(?!.*(?:(?:url|image|image-set|cross-fade|element|expression)\s*\(|behavior|\\))/is;
const ALLOWED_STYLES = { '*': Object.fromEntries(ALLOWED_STYLE_PROPERTIES.map((property) => [property, [SAFE_STYLE_VALUE]])) };

const PLACEHOLDER_SRC = new RegExp(`(<img\\b[^>]*?\\ssrc=")${ATTACHMENT_PLACEHOLDER_SCHEME}([^"]*)"`, 'g');
const LINK_SCHEME = /^(?:https?|mailto|tel):/i;
const INLINE_IMAGE_DATA = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;
const REMOTE_IMAGE = /^https?:\/\//i;

/** Turns the HTML body of a received mail into a fragment that is safe to show inside the help-desk UI. */
export function sanitizeEmailHtml(html: string, options: SanitizeOptions): SanitizedHtml {
  let blockedRemoteImages = 0;

  const imageSource = (src: string): Record<string, string> => {
    if (/^cid:/i.test(src)) {
      const attachmentId = lookupCid(options.cidMap, src.slice('cid:'.length));
      return attachmentId === undefined ? {} : { src: ATTACHMENT_PLACEHOLDER_SCHEME + encodeURIComponent(attachmentId) };
    }
    if (INLINE_IMAGE_DATA.test(src)) return { src };
    // Protocol-relative URLs load remotely just the same.
    const remote = src.startsWith('//') ? `https:${src}` : src;
    if (!REMOTE_IMAGE.test(remote)) return {};
    if (options.allowRemoteImages) return { src: remote };
    blockedRemoteImages++;
    return { 'data-blocked-src': remote };
  };

  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedStyles: ALLOWED_STYLES,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data', ATTACHMENT_PLACEHOLDER_SCHEME.slice(0, -1)] },
    allowProtocolRelative: false,
    // Besides the library's defaults, the <title> of the <head> would otherwise leak into the body as text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'title'],
    transformTags: {
      // Attributes are rebuilt rather than filtered, so a mail cannot smuggle in its own data-blocked-src, rel…
      a: (tagName, attribs) => {
        const href = attribs.href?.trim() ?? '';
        const { title, style } = attribs;
        const kept = pickDefined({ title, style });
        return LINK_SCHEME.test(href)
          ? { tagName, attribs: { ...kept, href, target: '_blank', rel: 'noopener noreferrer nofollow' } }
          : { tagName, attribs: kept };
      },
      img: (tagName, attribs) => {
        const { alt, width, height, title, style } = attribs;
        return { tagName, attribs: { ...pickDefined({ alt, width, height, title, style }), ...imageSource(attribs.src?.trim() ?? '') } };
      },
    },
    exclusiveFilter: (frame) => {
      // An image left without a source (unknown cid, javascript:, relative path) would only show as broken.
      if (frame.tag === 'img') return !frame.attribs.src && !frame.attribs['data-blocked-src'];
      // A link whose target was refused keeps its text, without looking clickable.
      return frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false;
    },
  });
  return { html: clean.trim(), blockedRemoteImages };
}

/** Swaps every inline-image placeholder of a sanitized body for a real URL (signed, at read time). */
export function replaceAttachmentPlaceholders(html: string, toUrl: (attachmentId: string) => string): string {
  // Only the src attributes written by sanitizeEmailHtml: text or other attributes that merely contain the
  // scheme have their quotes escaped by then and do not match.
  return html.replace(PLACEHOLDER_SRC, (_match, before: string, encodedId: string) => `${before}${escapeAttribute(toUrl(decodeURIComponent(encodedId)))}"`);
}

function lookupCid(cidMap: ReadonlyMap<string, string>, reference: string): string | undefined {
  // RFC 2392 lets the cid: URL percent-encode the Content-ID; most clients write it raw.
  const direct = cidMap.get(reference);
  if (direct !== undefined) return direct;
  try {
    return cidMap.get(decodeURIComponent(reference));
  } catch {
    return undefined;
  }
}

function pickDefined(attribs: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(attribs).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
