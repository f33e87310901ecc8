import { MailError } from '../errors.ts';

// Mail Correio itself sent, drafts and spam would come back as tickets (W5: no loops).
const NEVER_IMPORTED = new Set(['\\Sent', '\\Drafts', '\\Trash', '\\Junk']);

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
    throw new MailError('FOLDER_NOT_FOUND', 'MAILBOX', { message: `The folder “${folder}” does not exist in this mailbox${names.length ? `; it has: ${listed}` : ''}.` });
  }
  if (entry.specialUse && NEVER_IMPORTED.has(entry.specialUse))
    throw new MailError('FOLDER_NOT_ALLOWED', 'MAILBOX', { message: `“${entry.path}” is the ${entry.specialUse.slice(1)} folder; Correio never imports it.` });
  return entry;
}
