import type { Region } from '@missive/contracts';

/**
 * The one typed configuration object of a Missive process. It is also the Nest injection token:
 * `constructor(private readonly config: MissiveConfig)`. Nothing outside libs/config reads process.env.
 */
export abstract class MissiveConfig {
  abstract readonly nodeEnv: 'development' | 'test' | 'production';
  abstract readonly production: boolean;
  abstract readonly instanceId: string;
  abstract readonly logLevel: string;
  abstract readonly regions: readonly Region[];
  abstract readonly http: { port: number; supportPort: number; publicBaseUrl: string };
  abstract readonly kafka: { clientId: string; brokers: Record<Region, string[]> };
  abstract readonly databases: {
    global: string;
    regional: Record<Region, string>;
    adminGlobal: string;
    adminRegional: Record<Region, string>;
  };
  abstract readonly redis: Record<Region, string>;
  abstract readonly smtp: {
    url: string | null;
    /** Connections of a campaigns process's pool to the relay. */
    maxConnections: number;
    devSinkPort: number;
    inboundPort: number;
    /** DKIM signing of outgoing campaign messages (R-S5), or null. */
    dkim: { domainName: string; keySelector: string; privateKey: string } | null;
  };
  abstract readonly support: { bootstrapToken: string | null };
  abstract readonly purge: { sweepIntervalMs: number; batchSize: number };
  abstract readonly limits: { tenantRatePerSecond: number; tenantSendRatePerSecond: number };
  abstract readonly linkTokenKeys: { kid: string; secret: string }[];
  abstract readonly dataDir: string;
  /** Appended to BullMQ key prefixes (`na:bull`, `na:bull:<ns>`); tests isolate their queues with it. */
  abstract readonly queueNamespace: string | null;
  /** 32 bytes wrapping the tenants' data keys. */
  abstract readonly tenantKeyMaster: Buffer;
}
