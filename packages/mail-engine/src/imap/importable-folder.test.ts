import { describe, expect, it } from 'vitest';
import { importableFolder } from './importable-folder.ts';

const folders = [{ path: 'INBOX' }, { path: 'Suporte' }, { path: 'Sent', specialUse: '\\Sent' }, { path: 'Lixo', specialUse: '\\Trash' }, { path: 'Spam', specialUse: '\\Junk' }];

describe('importableFolder', () => {
  it('returns the folder as the server spells it, matching case-insensitively only when there is no exact match', () => {
    expect(importableFolder(folders, 'INBOX').path).toBe('INBOX');
    expect(importableFolder(folders, 'suporte').path).toBe('Suporte');
  });

  it('refuses the folders Correio itself writes to or that hold junk (no mail loops)', () => {
    expect(() => importableFolder(folders, 'Sent')).toThrow(expect.objectContaining({ code: 'FOLDER_NOT_ALLOWED', phase: 'MAILBOX', message: '“Sent” is the Sent folder; Correio never imports it.' }));
    expect(() => importableFolder(folders, 'Lixo')).toThrow(expect.objectContaining({ code: 'FOLDER_NOT_ALLOWED' }));
    expect(() => importableFolder(folders, 'spam')).toThrow(expect.objectContaining({ code: 'FOLDER_NOT_ALLOWED' }));
  });

  it('lists what exists when the folder does not', () => {
    expect(() => importableFolder(folders, 'Atendimento')).toThrow(
      expect.objectContaining({ code: 'FOLDER_NOT_FOUND', transient: false, message: 'The folder “Atendimento” does not exist in this mailbox; it has: INBOX, Suporte, Sent, Lixo, Spam.' }),
    );
  });
});
