// Links in an HTML page served through a proxy subresource, made to lead back through the
// proxy as Kubernetes' proxy transport makes them: in the attributes that hold URLs (a href,
// script src, form action...), an absolute path or a URL naming the backend is put under the
// proxy's prefix; relative links already resolve under it. A small tokenizer, not a parser:
// it reads tags and their attributes, passes comments, declarations and the text of script and
// style elements through untouched, and changes nothing else of the page.

/** The attributes holding URLs, by tag (the HTML attributes Kubernetes' proxy rewrites). */
const URL_ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href'],
  applet: ['codebase'],
  area: ['href'],
  audio: ['src'],
  base: ['href'],
  blockquote: ['cite'],
  body: ['background'],
  button: ['formaction'],
  command: ['icon'],
  del: ['cite'],
  embed: ['src'],
  form: ['action'],
  frame: ['longdesc', 'src'],
  head: ['profile'],
  html: ['manifest'],
  iframe: ['longdesc', 'src'],
  img: ['longdesc', 'src', 'usemap'],
  input: ['src', 'usemap', 'formaction'],
  ins: ['cite'],
  link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'],
  q: ['cite'],
  script: ['src'],
  source: ['src'],
  video: ['poster', 'src'],
};

/** Elements whose content is text, never tags. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';

/** Where `</tag` (any case) next starts from `from`, or the end. */
function endTag(html: string, tag: string, from: number): number {
  for (let at = html.indexOf('</', from); at >= 0; at = html.indexOf('</', at + 2)) {
    if (html.slice(at + 2, at + 2 + tag.length).toLowerCase() === tag) return at;
  }
  return html.length;
}

/** `html` with the URL attributes of its tags passed through `rewrite`. */
export function rewriteHTMLLinks(html: string, rewrite: (url: string) => string): string {
  const out: string[] = [];
  let copied = 0;
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?' || html[lt + 1] === '/') {
      const end = html.indexOf('>', lt + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    // A start tag: its name, then its attributes.
    let j = lt + 1;
    while (j < n && /[A-Za-z0-9-]/.test(html[j]!)) j++;
    const tag = html.slice(lt + 1, j).toLowerCase();
    if (!tag) {
      i = lt + 1;
      continue;
    }
    const wanted = Object.hasOwn(URL_ATTRIBUTES, tag) ? URL_ATTRIBUTES[tag]! : [];
    while (j < n && html[j] !== '>') {
      while (j < n && (isSpace(html[j]) || html[j] === '/')) j++;
      const nameStart = j;
      while (j < n && !isSpace(html[j]) && html[j] !== '=' && html[j] !== '>' && html[j] !== '/') j++;
      const name = html.slice(nameStart, j).toLowerCase();
      while (j < n && isSpace(html[j])) j++;
      if (html[j] !== '=') {
        if (j === nameStart) j++;
        continue;
      }
      j++;
      while (j < n && isSpace(html[j])) j++;
      let valueStart: number;
      let valueEnd: number;
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        valueStart = j + 1;
        valueEnd = html.indexOf(quote, valueStart);
        if (valueEnd < 0) valueEnd = n;
        j = Math.min(n, valueEnd + 1);
      } else {
        valueStart = j;
        while (j < n && !isSpace(html[j]) && html[j] !== '>') j++;
        valueEnd = j;
      }
      if (wanted.includes(name)) {
        const value = html.slice(valueStart, valueEnd);
        const changed = rewrite(value);
        if (changed !== value) {
          out.push(html.slice(copied, valueStart), changed);
          copied = valueEnd;
        }
      }
    }
    i = j + 1;
    // The text of a script or style may hold anything, '<' included: on to its end tag.
    if (RAW_TEXT.has(tag)) i = endTag(html, tag, i);
  }
  out.push(html.slice(copied));
  return out.join('');
}
