import { access } from 'node:fs/promises';
import type { BlobStore } from '@correio/core';
import { text } from '@correio/texts';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { MailError } from '../errors.ts';
import type { OutboxAttachment } from '../outbox/payload.ts';
import { brandFooter, extractDataImages, htmlDocument, textDocument } from './reply-body.ts';

/** The account columns a message's look depends on (A6). */
export interface ComposeAccount {
  brandName: string | null;
  brandUrl: string | null;
  brandLogoBlobKey: string | null;
  brandLogoContentType: string | null;
}

/** One message to compose; Message-IDs without `<>`. */
export interface MessageToCompose {
  messageId: string;
  date: Date;
  from: { address: string; name: string | null };
  to: string[];
  cc: string[];
  subject: string;
  inReplyTo: string | null;
  references: string[];
  /** Outlook's Thread-Index and Thread-Topic, so Outlook threads the reply (null: not written). */
  threadIndex?: string | null;
  threadTopic?: string | null;
  /** The agent's text and (sanitized) HTML, without the footer. */
  text: string;
  html: string;
  attachments: OutboxAttachment[];
  /** The replying agent, whose picture stands in for a missing logo. */
  author: { name: string; avatarUrl: string | null } | null;
  /** Correio's automatic mail only: a notification (true) or an acknowledgement ('auto-replied'). */
  automatic: boolean | 'auto-replied';
}

const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;

/**
 * Builds the MIME message: multipart/alternative text + HTML, the footer's picture as an inline
 * `cid:` part (multipart/related), the reply's files (multipart/mixed).
 */
export async function composeMessage(message: MessageToCompose, account: ComposeAccount, blobs: BlobStore): Promise<Buffer> {
  const inline: Mail.Attachment[] = [];
  let imageSrc: string | null = null;
  let imageAlt = account.brandName ?? '';

  const logoPath = account.brandLogoBlobKey ? await existingBlob(blobs, account.brandLogoBlobKey) : null;
  if (logoPath) {
    const cid = `logo.${message.messageId}`;
    inline.push({ cid, path: logoPath, contentType: account.brandLogoContentType ?? 'image/png', filename: `logo.${extension(account.brandLogoContentType)}`, contentDisposition: 'inline' });
    imageSrc = `cid:${cid}`;
  } else if (message.author?.avatarUrl) {
    // Without a logo, the replying agent's picture (A6): embedded when stored as data, linked when remote.
    const avatar = message.author.avatarUrl;
    const data = DATA_URL.exec(avatar);
    if (data) {
      const cid = `avatar.${message.messageId}`;
      inline.push({ cid, content: Buffer.from(data[2]!.replace(/\s+/g, ''), 'base64'), contentType: data[1]!, filename: `avatar.${extension(data[1]!)}`, contentDisposition: 'inline' });
      imageSrc = `cid:${cid}`;
    } else if (/^https:\/\//i.test(avatar)) {
      imageSrc = avatar;
    }
    imageAlt = message.author.name;
  }

  const footer = brandFooter({ name: account.brandName, url: account.brandUrl, imageSrc, imageAlt });
  const pasted = extractDataImages(message.html, (i) => `image${i + 1}.${message.messageId}`);
  for (const image of pasted.images)
    inline.push({ cid: image.cid, content: image.content, contentType: image.contentType, filename: `image${inline.length + 1}.${extension(image.contentType)}`, contentDisposition: 'inline' });

  const files: Mail.Attachment[] = [];
  for (const a of message.attachments) {
    const path = await existingBlob(blobs, a.blobKey);
    if (!path) throw new MailError('UNKNOWN', 'SEND', { text: text('mail.UNKNOWN.attachmentMissing', { filename: a.filename }), transient: false });
    files.push({ filename: a.filename, contentType: a.contentType, path, contentDisposition: 'attachment' });
  }

  const mail: Mail.Options = {
    from: { name: message.from.name ?? '', address: message.from.address },
    to: message.to,
    ...(message.cc.length ? { cc: message.cc } : {}),
    subject: message.subject,
    messageId: `<${message.messageId}>`,
    date: message.date,
    ...(message.inReplyTo ? { inReplyTo: `<${message.inReplyTo}>` } : {}),
    ...(message.references.length ? { references: message.references.map((id) => `<${id}>`) } : {}),
    text: textDocument(message.text, footer),
    html: htmlDocument(pasted.html, footer),
    attachments: [...inline, ...files],
    // Only Correio's automatic notifications say so (RFC 3834); a human reply must not look automatic,
    // or the customer's own auto-responders and filters would treat it as such.
    headers: {
      ...(message.automatic ? { 'Auto-Submitted': message.automatic === 'auto-replied' ? 'auto-replied' : 'auto-generated', 'X-Auto-Response-Suppress': 'All' } : {}),
      ...(message.threadIndex ? { 'Thread-Index': message.threadIndex, ...(message.threadTopic ? { 'Thread-Topic': message.threadTopic } : {}) } : {}),
    },
    disableUrlAccess: true,
  };
  const node = new MailComposer(mail).compile();
  return new Promise<Buffer>((resolve, reject) => node.build((err, built) => (err ? reject(err) : resolve(built))));
}

async function existingBlob(blobs: BlobStore, key: string): Promise<string | null> {
  try {
    const path = blobs.pathOf(key);
    await access(path);
    return path;
  } catch {
    return null;
  }
}

function extension(contentType: string | null): string {
  const sub = (contentType ?? 'image/png').split('/')[1] ?? 'png';
  return sub === 'jpeg' ? 'jpg' : sub.replace(/[^a-z0-9]/gi, '') || 'bin';
}
