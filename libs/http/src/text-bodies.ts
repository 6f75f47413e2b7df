import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyDepthDetail } from './body-depth.rules';
import { InvalidInputError } from './domain-error';
import { textSafetyDetails } from './text-safety.rules';

type Done = (err: Error | null, body?: unknown) => void;

/** The same shape as the validation pipe's answer: 400 `invalid_input`, every bad field named. */
export function unsafeTextError(details: ReturnType<typeof textSafetyDetails>): InvalidInputError {
  return new InvalidInputError(`Invalid text: ${[...new Set(details.map((d) => d.field))].join(', ')}`, details);
}

/** Parses the bytes with `parse`, then refuses the body if it nests too deep or any field breaks the text rule (R-X6). */
function checkedParser(parse: (text: string, request: FastifyRequest, done: Done) => void) {
  return (request: FastifyRequest, body: Buffer, done: Done): void => {
    // Decoding replaces bytes that are not UTF-8 with U+FFFD; only the raw bytes tell them from a real U+FFFD.
    const invalidUtf8 = !isUtf8(body);
    parse(body.toString('utf8'), request, (err, parsed) => {
      if (err) return done(err);
      const tooDeep = bodyDepthDetail(parsed);
      if (tooDeep) return done(new InvalidInputError(`Invalid input: ${tooDeep.field}`, [tooDeep]));
      const details = textSafetyDetails(parsed, { invalidUtf8 });
      if (details.length > 0) return done(unsafeTextError(details));
      done(null, parsed);
    });
  };
}

/** Form fields as fast-querystring gives them: a repeated name becomes an array; no prototype to pollute. */
function parseForm(text: string): Record<string, string | string[]> {
  const form = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = form[name];
    form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}

/**
 * The JSON and form body parsers of every listener, in place of Nest's (create the app with `bodyParser: false`):
 * the same parsing and limit, plus the text rule on every field, so a NUL, a lone surrogate or bytes that are not
 * UTF-8 answer 400 naming the field before any handler runs, whatever its DTO.
 */
export function registerTextBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    // An empty body is no fields: a route that takes none works with any client that always sends the header.
    checkedParser((text, request, done) => (text.trim() === '' ? done(null, {}) : json(request, text, done))),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    checkedParser((text, _request, done) => done(null, parseForm(text))),
  );
}
