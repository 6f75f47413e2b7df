import fc from 'fast-check';
import { ageOn } from '@missive/contact-domain';
import { sendGate, type GateContact, type GateTenant } from './send-gate.rules';

const NOW = new Date('2026-11-23T12:00:00Z');
/** The configured defaults (MINIMUM_AGE_NA, MINIMUM_AGE_EEA). */
const AGES = { NA: 13, EEA: 16 };
const activeTenant: GateTenant = { status: 'active', terminatedAt: null };
const contact = (overrides: Partial<GateContact> = {}): GateContact => ({
  status: 'active',
  region: 'EEA',
  lawfulBasis: 'consent',
  consentWithdrawn: false,
  objected: false,
  birthDate: null,
  ...overrides,
});

describe('sendGate (R-S2)', () => {
  it('R-S2: sends to an active EEA contact with consent', () => {
    expect(sendGate(activeTenant, contact(), NOW, AGES)).toEqual({ send: true });
  });

  it('R-C8: skips a pending contact (double opt-in not confirmed) under every regime and basis', () => {
    for (const region of ['EEA', 'NA'] as const)
      for (const lawfulBasis of ['consent', 'legitimate_interests', 'contract'] as const)
        expect(sendGate(activeTenant, contact({ status: 'pending', region, lawfulBasis }), NOW, AGES)).toEqual({
          send: false,
          reason: 'pending',
        });
  });

  it('R-S2: skips every recipient of a tenant that is not active or whose termination has taken effect (R-P1)', () => {
    expect(sendGate({ status: 'terminated', terminatedAt: null }, contact(), NOW, AGES)).toEqual({
      send: false,
      reason: 'tenant_inactive',
    });
    expect(
      sendGate({ status: 'active', terminatedAt: new Date('2026-11-23T11:59:59Z') }, contact(), NOW, AGES),
    ).toEqual({
      send: false,
      reason: 'tenant_inactive',
    });
    expect(
      sendGate({ status: 'active', terminatedAt: new Date('2026-11-24T00:00:00Z') }, contact(), NOW, AGES),
    ).toEqual({
      send: true,
    });
  });

  it('R-S2: skips an erased contact (no longer there when sending)', () => {
    expect(sendGate(activeTenant, null, NOW, AGES)).toEqual({ send: false, reason: 'erased' });
  });

  it.each([
    ['unsubscribed', 'unsubscribed'],
    ['suppressed', 'suppressed'],
    ['bounced', 'bounced'],
    ['complained', 'complained'],
    ['restricted', 'restricted'],
  ] as const)('R-S2: skips a %s contact', (status, reason) => {
    expect(sendGate(activeTenant, contact({ status }), NOW, AGES)).toEqual({ send: false, reason });
  });

  it('R-S2: EEA consent withdrawn → skipped; legitimate interests → sent; objection → skipped', () => {
    expect(sendGate(activeTenant, contact({ consentWithdrawn: true }), NOW, AGES)).toEqual({
      send: false,
      reason: 'consent_withdrawn',
    });
    expect(sendGate(activeTenant, contact({ lawfulBasis: 'legitimate_interests' }), NOW, AGES)).toEqual({ send: true });
    expect(sendGate(activeTenant, contact({ lawfulBasis: 'legitimate_interests', objected: true }), NOW, AGES)).toEqual(
      {
        send: false,
        reason: 'objection',
      },
    );
  });

  it.each(['contract', 'legal_obligation', 'vital_interests', 'public_task'] as const)(
    'R-S2: EEA basis %s does not allow marketing',
    (lawfulBasis) => {
      expect(sendGate(activeTenant, contact({ lawfulBasis }), NOW, AGES)).toEqual({
        send: false,
        reason: 'no_marketing_basis',
      });
    },
  );

  it('R-S2: NA contacts are mailable on any basis unless they opted out', () => {
    expect(sendGate(activeTenant, contact({ region: 'NA', lawfulBasis: 'contract' }), NOW, AGES)).toEqual({
      send: true,
    });
    expect(sendGate(activeTenant, contact({ region: 'NA', objected: true }), NOW, AGES)).toEqual({
      send: false,
      reason: 'objection',
    });
  });

  it('R-S2, R-C3: the minimum ages are the configured ones, not fixed', () => {
    const fourteen = contact({ birthDate: new Date('2012-11-23T00:00:00Z') });
    expect(sendGate(activeTenant, fourteen, NOW, AGES)).toEqual({ send: false, reason: 'minor' });
    expect(sendGate(activeTenant, fourteen, NOW, { ...AGES, EEA: 14 })).toEqual({ send: true });
    const seventeen = contact({ region: 'NA', birthDate: new Date('2009-06-01T00:00:00Z') });
    expect(sendGate(activeTenant, seventeen, NOW, AGES)).toEqual({ send: true });
    expect(sendGate(activeTenant, seventeen, NOW, { ...AGES, NA: 18 })).toEqual({ send: false, reason: 'minor' });
  });

  it('R-S2, R-C3: minors are skipped by their regime’s age (EEA 16, NA 13), decided on the day of sending', () => {
    const turns16Tomorrow = new Date('2010-11-24T00:00:00Z');
    const turned16Today = new Date('2010-11-23T00:00:00Z');
    expect(sendGate(activeTenant, contact({ birthDate: turns16Tomorrow }), NOW, AGES)).toEqual({
      send: false,
      reason: 'minor',
    });
    expect(sendGate(activeTenant, contact({ birthDate: turned16Today }), NOW, AGES)).toEqual({ send: true });
    expect(
      sendGate(activeTenant, contact({ region: 'NA', birthDate: new Date('2012-01-01T00:00:00Z') }), NOW, AGES),
    ).toEqual({ send: true });
    expect(
      sendGate(activeTenant, contact({ region: 'NA', birthDate: new Date('2014-01-01T00:00:00Z') }), NOW, AGES),
    ).toEqual({
      send: false,
      reason: 'minor',
    });
  });

  it('R-S2: nothing but an active, lawful, adult contact of an active tenant is ever sent (property)', () => {
    const arbitraryContact = fc.record({
      status: fc.constantFrom('active', 'unsubscribed', 'suppressed', 'bounced', 'complained', 'restricted'),
      region: fc.constantFrom('NA', 'EEA'),
      lawfulBasis: fc.constantFrom(
        'consent',
        'contract',
        'legal_obligation',
        'vital_interests',
        'public_task',
        'legitimate_interests',
      ),
      consentWithdrawn: fc.boolean(),
      objected: fc.boolean(),
      birthDate: fc.option(fc.date({ min: new Date('1900-01-01'), max: NOW }), { nil: null }),
    }) as fc.Arbitrary<GateContact>;
    fc.assert(
      fc.property(
        arbitraryContact,
        fc.constantFrom<GateTenant['status']>('active', 'terminated', 'purged'),
        (c, status) => {
          const decision = sendGate({ status, terminatedAt: null }, c, NOW, AGES);
          if (decision.send) {
            expect(status).toBe('active');
            expect(c.status).toBe('active');
            expect(c.objected).toBe(false);
            if (c.region === 'EEA')
              expect(
                c.lawfulBasis === 'legitimate_interests' || (c.lawfulBasis === 'consent' && !c.consentWithdrawn),
              ).toBe(true);
            if (c.birthDate) {
              expect(ageOn(c.birthDate.toISOString().slice(0, 10), NOW)).toBeGreaterThanOrEqual(AGES[c.region]);
            }
          }
        },
      ),
    );
  });
});
