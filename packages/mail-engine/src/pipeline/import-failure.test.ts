import { renderText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { temporaryPools } from './__tests__/temporary-pool.ts';
import { failureTextOf, storeFailureTextOf } from './import-failure.ts';
import { PrepareError, PreparePool } from './prepare-pool.ts';

// What a failed import stores as its reason (failed_imports.error_text): a code with its
// parameters, the library's or database's own words apart in `detail`.

const newPool = temporaryPools('failure-');

const nobody = Buffer.from('To: suporte@acme.example\r\nSubject: Sem remetente\r\n\r\nOlá\r\n');
const garbage = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe]), Buffer.alloc(200, 0x07)]);

describe('why a message could not be prepared', () => {
  it('is a code, with the raw bytes kept', async () => {
    const p = await newPool({ maxWorkers: 0, backlog: 1, idleMs: 60_000 });
    const [noSender, noHeaders] = (await p.prepareMany([{ raw: nobody, arrival: {} }, { raw: garbage, arrival: {} }])) as PrepareError[];
    expect(noSender).toBeInstanceOf(PrepareError);
    expect(noSender!.text).toEqual({ code: 'import.noSender' });
    expect(noSender!.message).toBe('The message names nobody to answer: From, Reply-To, Sender and Return-Path are all missing or unusable.');
    expect(noSender!.rawSize).toBe(nobody.length);
    expect(noHeaders!.text).toEqual({ code: 'import.noHeaders' });
  });

  it('crosses from a parser thread as the same code', async () => {
    // backlog 1: the first message starts a thread; once it has loaded, it takes the next ones.
    const p = await newPool({ maxWorkers: 1, backlog: 1, idleMs: 60_000 });
    await p.prepareMany([{ raw: nobody, arrival: {} }]);
    for (const until = Date.now() + 30_000; p.readyWorkerCount === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(p.readyWorkerCount).toBe(1);
    const [noSender, noHeaders] = (await p.prepareMany([{ raw: nobody, arrival: {} }, { raw: garbage, arrival: {} }])) as PrepareError[];
    expect(noSender!.text).toEqual({ code: 'import.noSender' });
    expect(noHeaders!.text).toEqual({ code: 'import.noHeaders' });
  }, 40_000);

  it('keeps a library’s own words as the detail of a text of ours', () => {
    const text = failureTextOf(new Error('ENOENT: no such file or directory'));
    expect(text).toEqual({ code: 'import.readFailed', detail: 'ENOENT: no such file or directory' });
    expect(renderText(text, 'pt-BR')).toBe('Não foi possível ler a mensagem: ENOENT: no such file or directory');
  });
});

describe('why a prepared message could not be stored', () => {
  it('names the database’s own words, from the innermost cause', () => {
    const wrapped = new Error('Failed query: insert into ticket_actions …', { cause: new Error('poisoned subject') });
    expect(storeFailureTextOf(wrapped)).toEqual({ code: 'import.storeFailed', detail: 'poisoned subject' });
    expect(renderText(storeFailureTextOf(wrapped), 'en')).toBe('The message could not be stored: poisoned subject');
  });

  it('never repeats a query, whose parameters are message content', () => {
    const text = storeFailureTextOf(new Error('Failed query: insert into tickets … params: Olá, segredo'));
    expect(text).toEqual({ code: 'import.databaseRefused' });
    expect(renderText(text, 'en')).toBe('The database refused to store the message.');
  });
});
