/**
 * The error a domain rule throws: a stable machine code, a human message, and the fields at fault. The HTTP
 * filter maps `status` straight to the response; rules never import Nest.
 */
export interface ErrorDetail {
  field?: string;
  row?: number;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`, 404);
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string, details: ErrorDetail[]) {
    super('invalid_input', message, 400, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}
