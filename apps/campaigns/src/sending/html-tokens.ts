import { QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/**
 * One pass over an HTML document with htmlparser2's tokenizer (R-X6): a state machine that reads each character
 * once, so hostile markup (100 KB of `<a`, 1 MB of `<`, tags nested 100,000 deep) costs what its length costs.
 * Only the tokenizer is used, not htmlparser2's tree builder, whose open-element stack is quadratic on deep
 * nesting. Positions are indexes into the input, so callers can splice the original text.
 */

export interface HtmlAttribute {
  /** Lower-cased. */
  name: string;
  /** With character references decoded. */
  value: string;
  /** The raw value's span in the input, quotes excluded; both are the name's end for an attribute with no value. */
  valueStart: number;
  valueEnd: number;
  quoted: boolean;
}

export interface HtmlVisitor {
  /** A start tag, once its attributes are read; `start` is the index of its `<`. */
  openTag?(name: string, attributes: HtmlAttribute[], start: number): void;
  /** An end tag; `start` is the index of its `<`. */
  closeTag?(name: string, start: number): void;
  /** Character data with references decoded, in order (the text of `<script>` and `<style>` included). */
  text?(text: string): void;
}

function isHtmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/** Where an attribute's value begins: after the name, `=` and the spaces around it, and the opening quote. */
function valueStartAfter(html: string, nameEnd: number, quoted: boolean): number {
  let i = nameEnd;
  while (i < html.length && isHtmlSpace(html.charCodeAt(i))) i++;
  i++; // the `=`
  while (i < html.length && isHtmlSpace(html.charCodeAt(i))) i++;
  return quoted ? i + 1 : i;
}

export function walkHtml(html: string, visitor: HtmlVisitor): void {
  let tagName = '';
  let tagStart = 0;
  let attributes: HtmlAttribute[] = [];
  let attributeName = '';
  let nameEnd = 0;
  let value = '';
  // The tokenizer reports text in pieces (1 MB of `<` is a million); adjacent pieces are handed over as one.
  let textStart = 0;
  let textEnd = 0;
  const flushText = () => {
    if (textEnd > textStart) visitor.text?.(html.slice(textStart, textEnd));
    textStart = textEnd = 0;
  };
  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      flushText();
      tagName = html.slice(start, end).toLowerCase();
      tagStart = start - 1;
      attributes = [];
    },
    onattribname(start, end) {
      attributeName = html.slice(start, end).toLowerCase();
      nameEnd = end;
      value = '';
    },
    onattribdata(start, end) {
      value += html.slice(start, end);
    },
    onattribentity(codepoint) {
      value += String.fromCodePoint(codepoint);
    },
    onattribend(quote, end) {
      const quoted = quote === QuoteType.Single || quote === QuoteType.Double;
      const valueEnd = quote === QuoteType.NoValue ? nameEnd : quoted ? end - 1 : end;
      const valueStart = quote === QuoteType.NoValue ? nameEnd : valueStartAfter(html, nameEnd, quoted);
      attributes.push({ name: attributeName, value, valueStart, valueEnd, quoted });
    },
    onopentagend() {
      visitor.openTag?.(tagName, attributes, tagStart);
    },
    onselfclosingtag() {
      visitor.openTag?.(tagName, attributes, tagStart);
    },
    onclosetag(start, end) {
      flushText();
      // Spaces may sit between `</` and the name; the `<` is the last one before the name.
      visitor.closeTag?.(html.slice(start, end).toLowerCase(), html.lastIndexOf('<', start));
    },
    ontext(start, end) {
      if (start !== textEnd) flushText();
      if (textEnd === 0) textStart = start;
      textEnd = end;
    },
    ontextentity(codepoint) {
      flushText();
      visitor.text?.(String.fromCodePoint(codepoint));
    },
    oncdata() {},
    oncomment() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onend: flushText,
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
}
