import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidInputError, type ErrorDetail } from './domain-error';
import { unsafeTextError } from './text-bodies';
import { textSafetyDetails } from './text-safety.rules';

/** Flattens class-validator's tree into one detail per failing field, dotted (`consent.givenAt`). */
export function validationDetails(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const reason of Object.values(error.constraints ?? {})) {
      details.push({ field, reason: reason.replace(/^property (\S+) should not exist$/, 'unknown field') });
    }
    if (error.children?.length) details.push(...validationDetails(error.children, field));
  }
  return details;
}

/**
 * Query strings and path parameters get the text rule (R-X6) here, before their DTOs; bodies got it from their
 * parser (`registerTextBodyParsers`), which alone sees whether the bytes were UTF-8.
 */
class TextSafeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const details = textSafetyDetails(value, { root: metadata.data ?? metadata.type });
      if (details.length > 0) throw unsafeTextError(details);
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting validation for every body, query and param (R-X2): unknown fields are errors, not ignored. */
export function createValidationPipe(): ValidationPipe {
  return new TextSafeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = validationDetails(errors);
      return new InvalidInputError(`Invalid input: ${[...new Set(details.map((d) => d.field))].join(', ')}`, details);
    },
  });
}
