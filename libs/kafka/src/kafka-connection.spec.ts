import { configWith } from '@missive/config';
import { kafkaConnection } from './kafka-connection';

describe('kafkaConnection', () => {
  it('R-X2: plaintext without TLS settings, TLS with the CA and SCRAM credentials when configured', () => {
    expect(kafkaConnection(configWith({ KAFKA_BROKERS: 'k:9092' }, {}), 'NA')).toEqual({ brokers: ['k:9092'] });
    const config = configWith(
      {
        KAFKA_BROKERS: 'k:9093',
        KAFKA_SSL_NA: 'true',
        KAFKA_SASL_MECHANISM_NA: 'scram-sha-512',
        KAFKA_SASL_USERNAME_NA: 'missive',
        KAFKA_SASL_PASSWORD_NA: 'secret',
      },
      {},
    );
    expect(kafkaConnection(config, 'NA')).toEqual({
      brokers: ['k:9093'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'missive', password: 'secret' },
    });
    expect(kafkaConnection(config, 'EEA')).toEqual({ brokers: ['k:9093'] });
  });
});
