import { text } from '@correio/texts';
import { MailError } from '../errors.ts';

// Mail Correio itself sent, drafts and spam would come back as tickets (W5: no loops).
const NEVER_IMPORTED = { '\\Sent': 'sent', '\\Drafts': 'drafts', '\\Trash': 'trash', '\\Junk': 'junk' } as const;

export interface FolderEntry {
  path: string;
  specialUse?: string | undefined;
}

/**
 * The folder to import from, as the server spells it; throws when it does not exist (the
 * message lists what does) or is a special-use folder Correio refuses. Pure, so the rule is
 * tested alone.
 */
export function importableFolder<T extends FolderEntry>(folders: T[], folder: string): T {
  const entry = folders.find((f) => f.path === folder) ?? folders.find((f) => f.path.toLowerCase() === folder.toLowerCase());
  if (!entry) {
    const names = folders.map((f) => f.path);
    const listed = names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '');
    throw new MailError('FOLDER_NOT_FOUND', 'MAILBOX', { text: names.length ? text('mail.FOLDER_NOT_FOUND.namedWithList', { folder, folders: listed }) : text('mail.FOLDER_NOT_FOUND.named', { folder }) });
  }
  const refused = entry.specialUse && Object.hasOwn(NEVER_IMPORTED, entry.specialUse) ? NEVER_IMPORTED[entry.specialUse as keyof typeof NEVER_IMPORTED] : null;
  if (refused) throw new MailError('FOLDER_NOT_ALLOWED', 'MAILBOX', { text: text(`mail.FOLDER_NOT_ALLOWED.${refused}`, { folder: entry.path }) });
  return entry;
}
