import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { KafkaSecurity, MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';

/** Where and how a kafkajs client connects: the part of its options every client of a region must share. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: KafkaConfig['ssl'];
  sasl?: SASLOptions;
}

/** The kafkajs `ssl` and `sasl` options of a region's security settings (R-X2); empty for plaintext. */
export function kafkaSecurityOptions(security: KafkaSecurity): Omit<KafkaConnection, 'brokers'> {
  return {
    ...(security.tls ? { ssl: security.tls.ca ? { ca: [security.tls.ca] } : true } : {}),
    ...(security.sasl ? { sasl: { ...security.sasl } } : {}),
  };
}

/**
 * A region's brokers with their TLS and SASL options, to spread into `new Kafka({...})`: every client of the
 * configured brokers (services, tools, tests) connects the same way.
 */
export function kafkaConnection(config: MissiveConfig, region: Region): KafkaConnection {
  return { brokers: config.kafka.brokers[region], ...kafkaSecurityOptions(config.kafka.security[region]) };
}
