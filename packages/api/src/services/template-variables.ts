/**
 * Variables in agents' texts (issue 16: canned replies now, signatures and acknowledgements
 * next): `{{cliente.nome}}`, or its English alias `{{customer.name}}`, becomes the value for the
 * ticket at hand. One pass, so a value that itself reads like a variable (a customer named
 * "{{agente.email}}") is left as it is; an unknown variable stays as written, for the agent to see.
 */
export interface TemplateContext {
  customer: { name: string | null; email: string };
  ticket: { number: number; subject: string };
  agent: { name: string; email: string };
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
};

const ALIASES: Record<string, string> = {
  'customer.name': 'cliente.nome',
  'customer.email': 'cliente.email',
  'ticket.number': 'ticket.numero',
  'ticket.subject': 'ticket.assunto',
  'agent.name': 'agente.nome',
  'agent.email': 'agente.email',
  'account.name': 'conta.nome',
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
