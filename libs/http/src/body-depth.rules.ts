import type { ErrorDetail } from './domain-error';

/**
 * How deep arrays and objects may nest in a body (R-X6). class-transformer and class-validator walk a body
 * recursively, so `[[[…]]]` a few thousand levels deep overflowed the stack and answered 500 (found by the route
 * fuzzing of issue 27). No DTO comes near this depth; an audience filter of 30 nested groups still fits.
 */
export const MAX_BODY_DEPTH = 64;

export const TOO_DEEP_REASON = `nests arrays or objects deeper than ${MAX_BODY_DEPTH} levels`;

/**
 * The first place where `value` nests deeper than MAX_BODY_DEPTH, named as a dotted field path like the other
 * details (`audience.filter.all.0`), or null. Iterative, so the check itself cannot overflow the stack.
 */
export function bodyDepthDetail(value: unknown): ErrorDetail | null {
  const stack: { value: unknown; depth: number; field: string }[] = [{ value, depth: 0, field: '' }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (typeof current.value !== 'object' || current.value === null) continue;
    if (current.depth >= MAX_BODY_DEPTH) return { field: current.field || 'body', reason: TOO_DEEP_REASON };
    const prefix = current.field ? `${current.field}.` : '';
    for (const [key, child] of Object.entries(current.value)) {
      stack.push({ value: child, depth: current.depth + 1, field: `${prefix}${key}` });
    }
  }
  return null;
}
