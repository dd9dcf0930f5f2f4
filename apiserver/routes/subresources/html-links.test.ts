import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rewriteHTMLLinks } from './html-links.js';
import { rewriteLocation } from './proxy.js';

const prefix = '/api/v1/namespaces/ns/services/ui:http/proxy';
const backend = { scheme: 'http' as const, host: '10.0.0.9', port: 8080 };
const rewrite = (html: string) => rewriteHTMLLinks(html, (url) => rewriteLocation(url, backend, prefix));

describe('rewriteHTMLLinks', () => {
  it('puts absolute paths and URLs of the backend in URL attributes under the proxy', () => {
    const page = '<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/app.css"><script src=\'/static/app.js\'></script></head><body><a href=/login>in</a><img src="http://10.0.0.9:8080/logo.png" alt="/not-a-url"><form action="/search" method=get></form></body></html>';
    expect(rewrite(page)).toBe(
      `<!DOCTYPE html><html><head><link rel="stylesheet" href="${prefix}/static/app.css"><script src='${prefix}/static/app.js'></script></head><body><a href=${prefix}/login>in</a><img src="${prefix}/logo.png" alt="/not-a-url"><form action="${prefix}/search" method=get></form></body></html>`,
    );
  });

  it('leaves relative links, other hosts, links already under the proxy and fragments alone', () => {
    const page = `<a href="docs/">d</a><a href="../up">u</a><a href="https://example.com/x">e</a><a href="${prefix}/ok">p</a><a href="#top">t</a><a href="//cdn.example/x.js">c</a>`;
    expect(rewrite(page)).toBe(page);
  });

  it('reads tags and attribute names in any case, with spaces around =, and self-closing tags', () => {
    expect(rewrite('<A HREF = "/x">x</A><IMG SRC=/i.png/><input type=image src="/b.png" formaction="/go"/>')).toBe(
      `<A HREF = "${prefix}/x">x</A><IMG SRC=${prefix}/i.png/><input type=image src="${prefix}/b.png" formaction="${prefix}/go"/>`,
    );
  });

  it('passes comments, the text of scripts and styles, and attributes that hold no URL through untouched', () => {
    const page = '<!-- <a href="/c"> --><script>if (a < b) document.write(\'<a href="/s">\')</script><style>a[href="/x"]{}</style><div data-href="/d" title="<a href=/t>"></div>';
    expect(rewrite(page)).toBe(page);
  });

  it('keeps every byte of a page in another charset (latin1 round trip)', () => {
    const bytes = Buffer.concat([Buffer.from('<p>caf'), Buffer.from([0xe9]), Buffer.from('</p><a href="/\u00e9t\u00e9">x</a>', 'latin1')]);
    const out = Buffer.from(rewrite(bytes.toString('latin1')), 'latin1');
    expect(out.subarray(0, 8)).toEqual(bytes.subarray(0, 8));
    expect(out.toString('latin1')).toContain(`href="${prefix}/\u00e9t\u00e9"`);
  });

  it('survives truncated and malformed markup', () => {
    for (const page of ['<a href="/x', '<a href=', '<', '<<<>>>', '<!--', '<script>', '<a href="/x" <b>', '</', '<a =x>']) expect(() => rewrite(page)).not.toThrow();
    expect(rewrite('<a href="/x')).toBe(`<a href="${prefix}/x`);
  });

  it('changes nothing but the rewritten values, whatever the markup (property)', () => {
    const piece = fc.constantFrom('<a href="/x">', '<A HREF=/y>', "<img src='/z'>", '<!--', '-->', '<script>', '</script>', '<', '>', '"', "'", '=', ' ', '/', 'href', 'text', '</a>', '<style>', '</STYLE>', '<!x>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const html = parts.join('');
        expect(rewriteHTMLLinks(html, (url) => url)).toBe(html);
        // Whatever is rewritten, only prefixes are added: removing them gives the page back.
        expect(rewriteHTMLLinks(html, (url) => `@@${url}`).replaceAll('@@', '')).toBe(html);
      }),
      { numRuns: 2000 },
    );
  });
});
