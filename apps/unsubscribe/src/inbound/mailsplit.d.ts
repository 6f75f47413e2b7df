/** The parts of mailsplit's and libmime's APIs bounce-mail.parser.ts uses (neither ships type definitions). */
declare module 'mailsplit' {
  import type { Transform } from 'node:stream';

  export interface SplitterHeaders {
    getFirst(key: string): string;
  }

  /** A MIME node's header block, with what mailsplit parsed of it. */
  export interface SplitterNode {
    type: 'node';
    root: boolean;
    /** Lower-case media type, or false when the node has no Content-Type. */
    contentType: string | false;
    headers: SplitterHeaders;
    /** A stream that undoes the node's Content-Transfer-Encoding. */
    getDecoder(): Transform;
  }

  export interface SplitterChunk {
    type: 'data' | 'body';
    value: Buffer;
  }

  export class Splitter extends Transform {
    /** An object stream: each 'data' event is a SplitterNode or a SplitterChunk. */
    constructor(options?: { ignoreEmbedded?: boolean; maxHeadSize?: number; maxChildNodes?: number });
  }
}

declare module 'libmime' {
  const libmime: {
    parseHeaderValue(value: string): { value: string; params: Record<string, string> };
  };
  export default libmime;
}
