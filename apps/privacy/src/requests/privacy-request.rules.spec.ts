import {
  addBusinessDays,
  changesProblems,
  closeDecision,
  decodeCursor,
  encodeCursor,
  isOverdue,
  requestDeadlines,
  requestRegime,
  serveDecision,
} from './privacy-request.rules';

describe('privacy-request rules', () => {
  describe('due dates', () => {
    it('R-D1: an EEA request is due 30 days after receipt and has no acknowledgeBy', () => {
      const receivedAt = new Date('2026-03-02T10:15:00Z');
      expect(requestDeadlines('EEA', receivedAt)).toEqual({
        dueAt: new Date('2026-04-01T10:15:00Z'),
        acknowledgeBy: null,
      });
    });

    it('R-D1: an NA request is due 45 days after receipt and acknowledged within 10 business days', () => {
      // Monday 2 March 2026: ten working days later is Monday 16 March.
      const receivedAt = new Date('2026-03-02T10:15:00Z');
      expect(requestDeadlines('NA', receivedAt)).toEqual({
        dueAt: new Date('2026-04-16T10:15:00Z'),
        acknowledgeBy: new Date('2026-03-16T10:15:00Z'),
      });
    });

    it('R-D1: business days skip Saturdays and Sundays, also when received on a weekend', () => {
      expect(addBusinessDays(new Date('2026-03-06T09:00:00Z'), 1)).toEqual(new Date('2026-03-09T09:00:00Z')); // Fri → Mon
      expect(addBusinessDays(new Date('2026-03-07T09:00:00Z'), 1)).toEqual(new Date('2026-03-09T09:00:00Z')); // Sat → Mon
      expect(addBusinessDays(new Date('2026-03-08T09:00:00Z'), 10)).toEqual(new Date('2026-03-20T09:00:00Z')); // Sun → Fri
      expect(addBusinessDays(new Date('2026-03-04T09:00:00Z'), 0)).toEqual(new Date('2026-03-04T09:00:00Z'));
    });

    it("R-D1, R-T3: the data subject's regime sets the deadlines; without a contact, the tenant's region", () => {
      expect(requestRegime('NA', 'EEA')).toBe('EEA');
      expect(requestRegime('NA', null)).toBe('NA');
      expect(requestRegime('EEA', 'NA')).toBe('NA');
    });
  });

  describe('request body', () => {
    it('R-D1: rectification needs changes, a non-empty object of writable contact fields', () => {
      expect(changesProblems('rectification', undefined)).toEqual([
        { field: 'changes', reason: 'is required for rectification' },
      ]);
      expect(changesProblems('rectification', {})).toEqual([
        { field: 'changes', reason: 'must name at least one field' },
      ]);
      expect(changesProblems('rectification', ['x'])).toEqual([{ field: 'changes', reason: 'must be an object' }]);
      expect(changesProblems('rectification', { firstName: 'Ann', shoeSize: 9, id: 'x' })).toEqual([
        { field: 'changes.shoeSize', reason: 'unknown field' },
        { field: 'changes.id', reason: 'unknown field' },
      ]);
      expect(changesProblems('rectification', { firstName: 'Ann', email: 'ann@example.com' })).toEqual([]);
    });

    it('R-D1: the other types take no changes', () => {
      expect(changesProblems('access', undefined)).toEqual([]);
      expect(changesProblems('erasure', { firstName: 'Ann' })).toEqual([
        { field: 'changes', reason: 'is only accepted with type rectification' },
      ]);
    });
  });

  describe('serving', () => {
    it('R-D1: a request on an address with no data held is rejected with a reason', () => {
      expect(serveDecision('access', { contact: false, suppression: false })).toEqual({
        serve: false,
        reason: 'no data is held on this address',
      });
    });

    it('R-D1: access and erasure cover an address held only on the suppression list; the others need a contact', () => {
      const onlySuppressed = { contact: false, suppression: true };
      expect(serveDecision('access', onlySuppressed)).toEqual({ serve: true });
      expect(serveDecision('portability', onlySuppressed)).toEqual({ serve: true });
      expect(serveDecision('erasure', onlySuppressed)).toEqual({ serve: true });
      for (const type of ['rectification', 'restriction', 'objection'] as const) {
        expect(serveDecision(type, onlySuppressed)).toMatchObject({ serve: false });
        expect(serveDecision(type, { contact: true, suppression: false })).toEqual({ serve: true });
      }
    });
  });

  describe('closing referred requests', () => {
    it('R-D3: a pending request is completed or rejected by the tenant', () => {
      expect(closeDecision('pending', 'complete')).toEqual({ ok: true, status: 'completed' });
      expect(closeDecision('pending', 'reject')).toEqual({ ok: true, status: 'rejected' });
    });

    it('R-D3: a closed request is never closed again, either way', () => {
      for (const status of ['completed', 'rejected'] as const) {
        for (const action of ['complete', 'reject'] as const) {
          expect(closeDecision(status, action)).toEqual({ ok: false, reason: `the request is already ${status}` });
        }
      }
    });

    it('R-D3: overdue means pending past the due date; a closed request is never overdue', () => {
      const dueAt = new Date('2026-04-01T10:15:00Z');
      expect(isOverdue({ status: 'pending', dueAt }, new Date('2026-04-01T10:15:00.001Z'))).toBe(true);
      expect(isOverdue({ status: 'pending', dueAt }, dueAt)).toBe(false);
      expect(isOverdue({ status: 'completed', dueAt }, new Date('2026-05-01T00:00:00Z'))).toBe(false);
      expect(isOverdue({ status: 'rejected', dueAt }, new Date('2026-05-01T00:00:00Z'))).toBe(false);
    });
  });

  describe('list cursor', () => {
    it('R-D3: a cursor reads back as the request it was made from; anything else is refused', () => {
      const cursor = { receivedAt: new Date('2026-01-05T09:30:00.123Z'), id: '0b7e6f0c-3c1a-4d2e-9f8a-1b2c3d4e5f60' };
      expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      expect(decodeCursor('')).toBeNull();
      expect(decodeCursor('not-a-cursor')).toBeNull();
      expect(decodeCursor(Buffer.from('2026-01-05T09:30:00Z|nope').toString('base64url'))).toBeNull();
      expect(decodeCursor(Buffer.from(`yesterday|${cursor.id}`).toString('base64url'))).toBeNull();
    });
  });
});
