import { describe, expect, it } from 'vitest';
import { ATTACHMENT_PLACEHOLDER_SCHEME, replaceAttachmentPlaceholders, sanitizeEmailHtml } from './sanitize-html.ts';

const cidMap = new Map([
  ['image001.png@01DC4C7A.5B1F2E30', 'att-logo'],
  ['assinatura@cliente', 'att/2&3'],
]);
const clean = (html: string, allowRemoteImages?: boolean) => sanitizeEmailHtml(html, { cidMap, allowRemoteImages });

describe('sanitizeEmailHtml: hostile input', () => {
  it.each([
    ['script tag', '<p>Oi</p><script>alert(1)</script>', '<p>Oi</p>'],
    ['event handler on an image without a usable source', '<img src=x onerror=alert(1)>', ''],
    ['event handler on an allowed tag', '<p onclick="alert(1)" onmouseover=alert(1)>Oi</p>', '<p>Oi</p>'],
    ['javascript: link', '<a href="javascript:alert(1)">clique</a>', 'clique'],
    ['mixed-case javascript: link', '<a href="JaVaScRiPt:alert(1)">clique</a>', 'clique'],
    ['entity-encoded javascript: link', '<a href="&#106;&#97;vascript&colon;alert(1)">clique</a>', 'clique'],
    ['javascript: link split by a tab', '<a href="jav&#x09;ascript:alert(1)">clique</a>', 'clique'],
    ['vbscript: link', '<a href="vbscript:msgbox(1)">clique</a>', 'clique'],
    ['data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">clique</a>', 'clique'],
    ['relative link into our own app', '<a href="/api/logout">sair</a>', 'sair'],
    ['iframe', '<iframe src="https://evil.example/"></iframe><p>Oi</p>', '<p>Oi</p>'],
    ['frameset', '<frameset><frame src="https://evil.example/"></frameset>', ''],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">', ''],
    ['form controls', '<form action="https://evil.example/"><input name="senha" value="x"><button>Enviar</button></form>', 'Enviar'],
    ['svg script', '<svg><script>alert(1)</script><circle r="1"/></svg>', ''],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>Oi</p>', '<p>Oi</p>'],
    ['base and link', '<base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css"><p>Oi</p>', '<p>Oi</p>'],
    ['style sheet with expression()', '<style>p { width: expression(alert(1)) }</style><p>Oi</p>', '<p>Oi</p>'],
  ])('%s', (_name, html, expected) => {
    expect(clean(html).html).toBe(expected);
  });

  it('filters inline styles property by property', () => {
    const html = clean(
      '<div style="color:#333;background:url(javascript:alert(1));background-image:url(https://t.example/p.gif);width:expression(alert(1));' +
        'position:fixed;top:0;behavior:url(x.htc);font-family:Arial;margin:0 auto;background-color:red;height:u\\72l(x)">x</div>',
    ).html;
    expect(html).toBe('<div style="color:#333;font-family:Arial;margin:0 auto;background-color:red">x</div>');
  });

  it('leaves nothing executable in a mix of attacks', () => {
    const html = clean(
      '<html><head><title>t</title><script src="https://evil.example/x.js"></script></head><body onload="alert(1)">' +
        '<a href=" javascript:alert(1)" onclick="x()">a</a><img src="javascript:alert(1)"><svg onload=alert(1)><script>alert(1)</script></svg>' +
        '<div style="background:url(&quot;javascript:alert(1)&quot;)">b</div><math><mtext><script>alert(1)</script></mtext></math></body></html>',
    ).html;
    expect(html).not.toMatch(/script|javascript|onload|onclick|alert|url\(|<svg|<body|<html|<head|<title/i);
    expect(html).toBe('a<div>b</div>');
  });
});

describe('sanitizeEmailHtml: ordinary mail formatting', () => {
  it('keeps the tables and inline styles of an Outlook mail and drops its wrappers', () => {
    const outlook = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>Proposta</title>
<style><!-- p.MsoNormal { margin:0cm; font-size:11.0pt; } --></style></head>
<body lang="PT-BR" link="#0563C1" vlink="#954F72"><div class="WordSection1">
<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0" width="600" style="width:450.0pt;border-collapse:collapse">
<tr><td width="600" valign="top" bgcolor="#F2F2F2" style="padding:0cm 5.4pt 0cm 5.4pt;background:#F2F2F2">
<p class="MsoNormal" align="center"><b><span style="font-size:14.0pt;font-family:&quot;Calibri&quot;,sans-serif;color:#1F497D;mso-fareast-language:EN-US">Proposta comercial</span></b><o:p></o:p></p>
</td></tr></table>
<p class="MsoNormal"><font face="Arial" color="red" size="2">Valor: <strike>R$ 100</strike> <u>R$ 80</u></font></p>
<ul><li>Item 1</li></ul><blockquote style="border-left:1px solid #ccc;padding-left:8px">citação</blockquote><center><small>rodapé</small></center>
</div></body></html>`;
    const { html, blockedRemoteImages } = clean(outlook);
    expect(blockedRemoteImages).toBe(0);
    expect(html).toContain('<table border="0" cellspacing="0" cellpadding="0" width="600" style="width:450.0pt;border-collapse:collapse">');
    expect(html).toContain('<td width="600" valign="top" bgcolor="#F2F2F2" style="padding:0cm 5.4pt 0cm 5.4pt;background:#F2F2F2">');
    expect(html).toContain('<p align="center"><b><span style="font-size:14.0pt;font-family:&quot;Calibri&quot;,sans-serif;color:#1F497D">Proposta comercial</span></b></p>');
    expect(html).toContain('<font face="Arial" color="red" size="2">Valor: <strike>R$ 100</strike> <u>R$ 80</u></font>');
    expect(html).toContain('<ul><li>Item 1</li></ul><blockquote style="border-left:1px solid #ccc;padding-left:8px">citação</blockquote><center><small>rodapé</small></center>');
    expect(html).not.toMatch(/<html|<head|<body|<title|Proposta<\/title|MsoNormal|class=|<o:p|<meta|<style|mso-/);
    expect(html.startsWith('<div>')).toBe(true);
  });

  it('keeps headings, code and rules', () => {
    const html = '<h1>T</h1><h3>S</h3><pre><code>x = 1</code></pre><hr /><p>a<br />b<sub>1</sub><sup>2</sup><s>c</s><big>d</big><em>e</em><strong>f</strong><i>g</i></p>';
    expect(clean(html).html).toBe(html);
  });

  it('opens allowed links in a new tab without giving the target a handle on the UI', () => {
    expect(clean('<a href="https://acme.com.br/pedido?id=1&amp;x=2" title="Pedido" target="_self" rel="opener">pedido</a>').html).toBe(
      '<a title="Pedido" href="https://acme.com.br/pedido?id=1&amp;x=2" target="_blank" rel="noopener noreferrer nofollow">pedido</a>',
    );
    expect(clean('<a href="mailto:vendas@acme.com.br">e-mail</a> <a href="tel:+551155550000">fone</a>').html).toBe(
      '<a href="mailto:vendas@acme.com.br" target="_blank" rel="noopener noreferrer nofollow">e-mail</a> ' +
        '<a href="tel:+551155550000" target="_blank" rel="noopener noreferrer nofollow">fone</a>',
    );
  });
});

describe('sanitizeEmailHtml: images', () => {
  it('rewrites known cid: images to attachment placeholders and drops unknown ones', () => {
    const { html } = clean('<img src="cid:image001.png@01DC4C7A.5B1F2E30" alt="Logo" width="120"><img src="cid:nao-existe@x"><img src="CID:assinatura%40cliente">');
    expect(html).toBe(`<img alt="Logo" width="120" src="${ATTACHMENT_PLACEHOLDER_SCHEME}att-logo" /><img src="${ATTACHMENT_PLACEHOLDER_SCHEME}att%2F2%263" />`);
  });

  it('blocks a remote tracking pixel and keeps its URL for a "load images" button', () => {
    const { html, blockedRemoteImages } = clean(
      '<p>Oi</p><img src="https://track.mailer.example/open?u=123&amp;m=9" width="1" height="1" style="display:none" alt=""><img src="//cdn.example/banner.png" src2="x">',
    );
    expect(blockedRemoteImages).toBe(2);
    expect(html).toBe(
      '<p>Oi</p><img alt="" width="1" height="1" style="display:none" data-blocked-src="https://track.mailer.example/open?u=123&amp;m=9" />' +
        '<img data-blocked-src="https://cdn.example/banner.png" />',
    );
  });

  it('keeps remote images when the user allowed them', () => {
    expect(clean('<img src="https://cdn.example/banner.png" data-blocked-src="javascript:alert(1)">', true)).toEqual({
      html: '<img src="https://cdn.example/banner.png" />',
      blockedRemoteImages: 0,
    });
  });

  it('keeps raster data: images only', () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    expect(clean(`<img src="${png}">`).html).toBe(`<img src="${png}" />`);
    expect(clean('<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">').html).toBe('');
    expect(clean('<img src="data:text/html;base64,PHNjcmlwdD4=">').html).toBe('');
  });

  it('refuses a placeholder written by the mail itself, and a mail-supplied data-blocked-src', () => {
    expect(clean(`<img src="${ATTACHMENT_PLACEHOLDER_SCHEME}someone-elses-attachment">`).html).toBe('');
    expect(clean('<img src="cid:image001.png@01DC4C7A.5B1F2E30" data-blocked-src="javascript:alert(1)">').html).toBe(
      `<img src="${ATTACHMENT_PLACEHOLDER_SCHEME}att-logo" />`,
    );
  });
});

describe('replaceAttachmentPlaceholders', () => {
  it('swaps placeholders for escaped URLs and leaves look-alike text alone', () => {
    const { html } = clean(
      '<p title="src=&quot;correio-attachment:x&quot;">src="correio-attachment:x"</p><img src="cid:image001.png@01DC4C7A.5B1F2E30"><img alt="a" src="cid:assinatura@cliente">',
    );
    const seen: string[] = [];
    const out = replaceAttachmentPlaceholders(html, (id) => {
      seen.push(id);
      return `https://api.correio.example/attachments/${encodeURIComponent(id)}?exp=1&sig=ab"c`;
    });
    expect(seen).toEqual(['att-logo', 'att/2&3']);
    expect(out).toBe(
      '<p title="src=&quot;correio-attachment:x&quot;">src="correio-attachment:x"</p>' +
        '<img src="https://api.correio.example/attachments/att-logo?exp=1&amp;sig=ab&quot;c" />' +
        '<img alt="a" src="https://api.correio.example/attachments/att%2F2%263?exp=1&amp;sig=ab&quot;c" />',
    );
  });
});
