import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidInputError, type ErrorDetail } from './domain-error';

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

/** Whitelisting validation for every body, query and param (R-X2): unknown fields are errors, not ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
