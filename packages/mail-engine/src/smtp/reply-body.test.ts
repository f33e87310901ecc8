import { describe, expect, it } from 'vitest';
import { brandFooter, extractDataImages, plainTextOf, sanitizeReplyHtml, textDocument, textToHtml } from './reply-body.ts';

describe('textToHtml', () => {
  it('escapes, makes paragraphs and line breaks, and links URLs without trailing punctuation', () => {
    expect(textToHtml('Olá <Ana> & cia,\r\n\r\nVeja https://acme.example/a?b=1&c=2.\nAbraço')).toBe(
      '<p>Olá &lt;Ana&gt; &amp; cia,</p>\n<p>Veja <a href="https://acme.example/a?b=1&amp;c=2">https://acme.example/a?b=1&amp;c=2</a>.<br>\nAbraço</p>',
    );
  });
});

describe('sanitizeReplyHtml', () => {
  it('removes what could run, keeps formatting and remote images the agent chose', () => {
    const html = sanitizeReplyHtml('<p onclick="x()">Oi <b>você</b></p><script>alert(1)</script><img src="https://cdn.acme.example/a.png"><a href="javascript:x()">y</a>');
    expect(html).toBe('<p>Oi <b>você</b></p><img src="https://cdn.acme.example/a.png" />y');
    expect(plainTextOf(html)).toBe('Oi você\n\ny');
  });
});

describe('brandFooter (A6)', () => {
  it('shows the company name as a link, with the picture beside it', () => {
    const footer = brandFooter({ name: 'Acme & Filhos', url: 'https://acme.example', imageSrc: 'cid:logo.1@acme', imageAlt: 'Acme & Filhos' })!;
    expect(footer.html).toContain('<img src="cid:logo.1@acme" alt="Acme &amp; Filhos"');
    expect(footer.html).toContain('<a href="https://acme.example" style="color:#555555;text-decoration:none;font-weight:bold">Acme &amp; Filhos</a>');
    expect(footer.text).toBe('-- \nAcme & Filhos\nhttps://acme.example');
    expect(textDocument('Oi\r\n', footer)).toBe('Oi\n\n-- \nAcme & Filhos\nhttps://acme.example\n');
  });

  it('uses the link’s host without a name, and is absent without any brand', () => {
    expect(brandFooter({ name: null, url: 'https://www.acme.example/ajuda', imageSrc: null, imageAlt: '' })!.html).toContain('>www.acme.example</a>');
    expect(brandFooter({ name: ' ', url: null, imageSrc: null, imageAlt: '' })).toBeNull();
    expect(textDocument('Oi', null)).toBe('Oi\n');
  });
});

describe('extractDataImages', () => {
  it('turns pasted data: images into cid: parts', () => {
    const { html, images } = extractDataImages('<p>a</p><img alt="x" src="data:image/png;base64,AAEC"><img src="https://x/y.png">', (i) => `image${i + 1}.m@acme`);
    expect(html).toBe('<p>a</p><img alt="x" src="cid:image1.m@acme"><img src="https://x/y.png">');
    expect(images).toEqual([{ cid: 'image1.m@acme', contentType: 'image/png', content: Buffer.from([0, 1, 2]) }]);
  });
});
