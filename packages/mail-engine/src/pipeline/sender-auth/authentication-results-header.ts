/**
 * An Authentication-Results header (RFC 8601) as the receiving server wrote it:
 * `mx.google.com; dkim=pass header.i=@acme.example; spf=pass (…) smtp.mailfrom=…;
 * dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=acme.example`.
 */
export interface ParsedAuthResults {
  authservId: string;
  methods: Array<{ method: string; result: string; comment: string | null; properties: Record<string, string> }>;
}

export function parseAuthenticationResults(value: string): ParsedAuthResults | null {
  const unfolded = value.replace(/\r?\n[ \t]+/g, ' ').trim();
  const parts = splitOutsideComments(unfolded, ';').map((p) => p.trim()).filter(Boolean);
  const head = parts.shift();
  if (!head) return null;
  // Microsoft 365 writes no authserv-id: its first part is already a method.
  const headIsMethod = /^[a-z0-9_-]+\s*=/i.test(stripComments(head));
  const authservId = headIsMethod ? '' : stripComments(head).split(/\s+/)[0]!.toLowerCase();
  const methods = (headIsMethod ? [head, ...parts] : parts).flatMap((part) => {
    const comment = /\(([^()]*)\)/.exec(part)?.[1]?.trim() ?? null;
    const tokens = stripComments(part).split(/\s+/).filter(Boolean);
    const [first, ...rest] = tokens;
    const match = first ? /^([a-z0-9_-]+)=([a-z0-9_-]+)$/i.exec(first) : null;
    if (!match) return [];
    const properties: Record<string, string> = {};
    for (const token of rest) {
      const kv = /^([a-z0-9_.-]+)=(.+)$/i.exec(token);
      if (kv) properties[kv[1]!.toLowerCase()] = kv[2]!.replace(/^"|"$/g, '');
    }
    return [{ method: match[1]!.toLowerCase(), result: match[2]!.toLowerCase(), comment, properties }];
  });
  return { authservId, methods };
}

function stripComments(text: string): string {
  let depth = 0;
  let out = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out.trim();
}

function splitOutsideComments(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === separator && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}
