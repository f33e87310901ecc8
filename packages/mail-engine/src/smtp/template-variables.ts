/**
 * Variables in agents' texts (issue 16: canned replies now, signatures and acknowledgements
 * next): `{{cliente.nome}}`, or its English alias `{{customer.name}}`, becomes the value for the
 * ticket at hand. One pass, so a value that itself reads like a variable (a customer named
 * "{{agente.email}}") is left as it is; an unknown variable stays as written, for the agent to see.
 */
export interface TemplateContext {
  customer: { name: string | null; email: string };
  ticket: { number: number; subject: string };
  agent: { name: string; email: string; signature?: string | null };
  account: { name: string } | null;
}

const VARIABLES: Record<string, (c: TemplateContext) => string> = {
  'cliente.nome': (c) => c.customer.name || c.customer.email,
  'cliente.email': (c) => c.customer.email,
  'ticket.numero': (c) => String(c.ticket.number),
  'ticket.assunto': (c) => c.ticket.subject,
  'agente.nome': (c) => c.agent.name,
  'agente.email': (c) => c.agent.email,
  'conta.nome': (c) => c.account?.name ?? '',
  'agente.assinatura': (c) => c.agent.signature ?? '',
};

const ALIASES: Record<string, string> = {
  'customer.name': 'cliente.nome',
  'customer.email': 'cliente.email',
  'ticket.number': 'ticket.numero',
  'ticket.subject': 'ticket.assunto',
  'agent.name': 'agente.nome',
  'agent.email': 'agente.email',
  'account.name': 'conta.nome',
  'agent.signature': 'agente.assinatura',
};

/** Every variable a text may use, Portuguese names first (the SPA lists them). */
export const TEMPLATE_VARIABLES = [...Object.keys(VARIABLES), ...Object.keys(ALIASES)];

export function fillTemplate(template: string, context: TemplateContext): string {
  return template.replace(/\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*\}\}/g, (whole, name: string) => {
    const key = name.toLowerCase();
    const value = VARIABLES[ALIASES[key] ?? key];
    return value ? value(context) : whole;
  });
}

/**
 * The signature a reply from this account carries (issue 16): the account's template, with the
 * agent's own signature where it says {{agente.assinatura}} (that one filled in first, so it
 * may use variables too); without an account template, the agent's own. Null: none.
 */
export function signatureFor(accountTemplate: string | null, agentSignature: string | null, context: TemplateContext): string | null {
  const own = agentSignature?.trim() ? fillTemplate(agentSignature.trim(), { ...context, agent: { ...context.agent, signature: '' } }) : '';
  const filled = accountTemplate?.trim() ? fillTemplate(accountTemplate.trim(), { ...context, agent: { ...context.agent, signature: own } }) : own;
  const trimmed = filled.replace(/\r\n?/g, '\n').trim();
  return trimmed || null;
}
