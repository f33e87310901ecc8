export interface BouncedRecipient {
  address: string;
  /** Enhanced status code, e.g. `5.1.1`. */
  status: string | null;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string | null;
  /** The remote server's reply, on one line: `550 5.1.1 <x@y>: Recipient address rejected: User unknown`. */
  diagnostic: string | null;
}

export interface DeliveryReport {
  /** Message-ID of our mail that bounced, without `<>` like every stored Message-ID (parse.ts `cleanId`). */
  originalMessageId: string | null;
  recipients: BouncedRecipient[];
  /** The remote server's words on one line, from the first failed recipient; null when the report gives none. */
  reason: string | null;
}

export interface ReportPartLike {
  contentType: string;
  /** Parts whose content was not kept in memory (streamed to storage) are skipped. */
  content?: Buffer | undefined;
}

/**
 * A parsed `multipart/report`: mailparser's `ParsedMail` (its `attachments`) or parse.ts's `ParsedEmail` (its
 * `reportParts`) both fit.
 */
export interface DeliveryReportSource {
  attachments?: readonly ReportPartLike[];
  reportParts?: readonly ReportPartLike[];
  text?: string | undefined;
}

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);
const FIRST_STATUS_FIELD = /^(?:Reporting-MTA|Received-From-MTA|Arrival-Date|Original-Envelope-Id|Final-Recipient|Original-Recipient)\s*:/im;

/**
 * Reads an RFC 3464 delivery report. Parse the mail with `simpleParser(raw, { keepDeliveryStatus: true })` so that
 * the message/delivery-status part stays an attachment; with mailparser's default it is appended to `text`,
 * where it is found as well.
 */
export function parseDeliveryReport(parsed: DeliveryReportSource): DeliveryReport {
  const parts = [...(parsed.reportParts ?? []), ...(parsed.attachments ?? [])];
  const contentOf = (types: ReadonlySet<string>) => parts.find((part) => part.content !== undefined && types.has(part.contentType.toLowerCase()))?.content?.toString('utf8');

  const blocks = parseFieldBlocks(contentOf(STATUS_TYPES) ?? statusSectionOf(parsed.text ?? ''));
  const recipients = blocks.filter((block) => block.has('final-recipient') || block.has('original-recipient')).map(toRecipient);

  const returned = contentOf(RETURNED_TYPES);
  const returnedHeaders = returned === undefined ? undefined : parseFieldBlocks(headerSectionOf(returned))[0];
  // Gmail also names the bounced message in the per-message fields; the returned headers are the primary source.
  const originalMessageId =
    messageIdOf(returnedHeaders?.get('message-id')) ?? messageIdOf(blocks.find((block) => block.has('x-original-message-id'))?.get('x-original-message-id'));

  return { originalMessageId, recipients, reason: reasonOf(recipients) };
}

function toRecipient(fields: ReadonlyMap<string, string>): BouncedRecipient {
  const address = withoutTypePrefix(fields.get('final-recipient') ?? fields.get('original-recipient') ?? '').replace(/^<|>$/g, '');
  const diagnostic = fields.get('diagnostic-code');
  return {
    address,
    status: fields.get('status')?.split(/\s/)[0] || null,
    action: fields.get('action')?.toLowerCase() || null,
    diagnostic: diagnostic === undefined ? null : oneLineReply(withoutTypePrefix(diagnostic)) || null,
  };
}

function reasonOf(recipients: readonly BouncedRecipient[]): string | null {
  const recipient = recipients.find((r) => r.action === 'failed') ?? recipients[0];
  if (recipient === undefined) return null;
  if (recipient.diagnostic !== null) return recipient.diagnostic;
  return [recipient.action ?? 'failed', recipient.status].filter((part) => part !== null).join(' ');
}

/** Blocks separated by blank lines, each a map of lower-cased field name → unfolded value (first occurrence wins). */
function parseFieldBlocks(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const match = /^([!-9;-~]+)[ \t]*:(.*)$/.exec(line);
        if (match && !fields.has(match[1]!.toLowerCase())) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

function statusSectionOf(text: string): string {
  const start = text.search(FIRST_STATUS_FIELD);
  return start < 0 ? '' : text.slice(start);
}

function headerSectionOf(message: string): string {
  const normalized = message.replace(/\r\n?/g, '\n');
  const end = normalized.search(/\n[ \t]*\n/);
  return end < 0 ? normalized : normalized.slice(0, end);
}

/** `rfc822; x@y` → `x@y`, `smtp; 550 …` → `550 …`. */
function withoutTypePrefix(value: string): string {
  return value.replace(/^\s*[\w-]+\s*;\s*/, '').trim();
}

/**
 * A multi-line SMTP reply repeats its codes on every line (`550-5.1.1 … 550-5.1.1 … 550 5.1.1 …`); once unfolded
 * they would litter the sentence, so only the leading code is kept.
 */
function oneLineReply(reply: string): string {
  const oneLine = reply.replace(/\s+/g, ' ').trim();
  const code = /^(\d{3})[- ](\d\.\d{1,3}\.\d{1,3} )?/.exec(oneLine);
  if (!code) return oneLine;
  const [lead, basic, enhanced = ''] = code;
  const repeated = new RegExp(` ${basic}[- ]${enhanced.replace(/\./g, '\\.')}`, 'g');
  return `${basic} ${enhanced}${oneLine.slice(lead.length).replace(repeated, ' ')}`.replace(/\s+/g, ' ').trim();
}

function messageIdOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const id = /<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim();
  return id === '' ? null : id;
}
