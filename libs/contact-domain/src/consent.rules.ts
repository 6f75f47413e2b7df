import { isIP } from 'node:net';

/** R-C2: what is kept of a consent: when and where it was given, optionally the IP (truncated) and the wording. */
export interface ConsentRecord {
  givenAt: string;
  source: string;
  ip: string | null;
  text: string | null;
  /** Art. 9(2)(a) GDPR explicit consent, needed for special-category data (R-C4). */
  explicit: boolean;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** How far in the future a `givenAt` may be (clock skew between the client's systems and ours). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_SOURCE = 200;
const MAX_TEXT = 10000;

/**
 * Truncates an IP before it is stored (R-C2, same rule as R-K4): IPv4 to its /24, IPv6 to its /48. An
 * IPv4-mapped IPv6 address is treated as the IPv4 it carries. Returns null for anything that is not an IP.
 */
export function truncateIp(ip: string): string | null {
  const value = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  if (mapped) return truncateIp(mapped[1]);
  const version = isIP(value);
  if (version === 4) return value.split('.').slice(0, 3).concat('0').join('.');
  if (version !== 6) return null;
  const [head, tail = ''] = value.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = value.includes('::') ? [...headGroups, ...Array(missing).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 3)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::`;
}

/** Milliseconds of an ISO-8601 date-time, or NaN. */
function timestampOf(value: unknown): number {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
}

/** Validates a consent record (R-C2); problems are named `consent.<field>`. */
export function validateConsent(raw: unknown, now: Date): { consent: ConsentRecord | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (raw === undefined || raw === null) return { consent: null, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { consent: null, problems: [{ field: 'consent', reason: 'must be an object' }] };
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!['givenAt', 'source', 'ip', 'text', 'explicit'].includes(key)) {
      problems.push({ field: `consent.${key}`, reason: 'unknown field' });
    }
  }
  let givenAt = '';
  if (record.givenAt === undefined || record.givenAt === null || record.givenAt === '') {
    problems.push({ field: 'consent.givenAt', reason: 'is required (when the consent was given)' });
  } else {
    const at = timestampOf(record.givenAt);
    if (Number.isNaN(at)) problems.push({ field: 'consent.givenAt', reason: 'must be an ISO-8601 date-time' });
    else if (at > now.getTime() + CLOCK_SKEW_MS)
      problems.push({ field: 'consent.givenAt', reason: 'is in the future' });
    else givenAt = new Date(at).toISOString();
  }
  const source = typeof record.source === 'string' ? record.source.trim() : '';
  if (record.source !== undefined && record.source !== null && typeof record.source !== 'string') {
    problems.push({ field: 'consent.source', reason: 'must be a string' });
  } else if (!source) {
    problems.push({ field: 'consent.source', reason: 'is required (where the consent was given)' });
  } else if (source.length > MAX_SOURCE) {
    problems.push({ field: 'consent.source', reason: `is longer than ${MAX_SOURCE} characters` });
  }
  let ip: string | null = null;
  if (record.ip !== undefined && record.ip !== null && record.ip !== '') {
    ip = typeof record.ip === 'string' ? truncateIp(record.ip) : null;
    if (ip === null) problems.push({ field: 'consent.ip', reason: 'must be an IPv4 or IPv6 address' });
  }
  let text: string | null = null;
  if (record.text !== undefined && record.text !== null && record.text !== '') {
    if (typeof record.text !== 'string') problems.push({ field: 'consent.text', reason: 'must be a string' });
    else if (record.text.length > MAX_TEXT) {
      problems.push({ field: 'consent.text', reason: `is longer than ${MAX_TEXT} characters` });
    } else text = record.text;
  }
  if (record.explicit !== undefined && record.explicit !== null && typeof record.explicit !== 'boolean') {
    problems.push({ field: 'consent.explicit', reason: 'must be true or false' });
  }
  if (problems.length > 0) return { consent: null, problems };
  return { consent: { givenAt, source, ip, text, explicit: record.explicit === true }, problems };
}
