import { Kafka, logLevel, Partitioners, type Producer, type Admin, type LogEntry } from 'kafkajs';
import type { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import type { Logger } from '@missive/observability';
import { kafkaConnection } from './kafka-connection';
import { kafkajsLogLevel } from './kafkajs-log.rules';
import { noDelaySocketFactory } from './no-delay-socket';

/**
 * The producer every Missive event goes through: acks from all in-sync replicas and idempotence, so a retried
 * batch is not written twice by the broker (R-X5). kafkajs allows one request in flight for idempotence.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  // Retries are bounded on purpose: after them the caller rebuilds the producer (ResilientProducer), which is
  // what gets kafkajs out of its stuck-sequence state after a broker restart; consumer inboxes absorb resends.
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5 },
  });
}

/**
 * One kafkajs client per region (R-T2: `KAFKA_BROKERS_NA` / `_EEA`, with the region's TLS and SASL, R-X2), shared
 * when both regions connect to the same brokers the same way. kafkajs logs go through the redacting logger.
 */
export class KafkaClients {
  private readonly clients: Record<Region, Kafka>;

  constructor(
    private readonly config: MissiveConfig,
    logger: Logger,
  ) {
    const kafkaLogger = logger.child({ component: 'kafkajs' });
    const logCreator = () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const level = kafkajsLogLevel(entry.level, rest);
      kafkaLogger[level]({ namespace: entry.namespace, ...rest }, message);
    };
    const make = (region: Region) =>
      new Kafka({
        clientId: `${config.kafka.clientId}-${config.instanceId}`,
        ...kafkaConnection(config, region),
        logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? logLevel.INFO : logLevel.WARN,
        logCreator,
        connectionTimeout: 3000,
        requestTimeout: 30000,
        retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
        socketFactory: noDelaySocketFactory,
      });
    const na = make('NA');
    const same = JSON.stringify(kafkaConnection(config, 'NA')) === JSON.stringify(kafkaConnection(config, 'EEA'));
    this.clients = { NA: na, EEA: same ? na : make('EEA') };
  }

  forRegion(region: Region): Kafka {
    return this.clients[region];
  }

  /** Distinct clients (one when both regions share brokers), each with the regions it serves. */
  distinct(): { kafka: Kafka; regions: Region[] }[] {
    const out: { kafka: Kafka; regions: Region[] }[] = [];
    for (const region of this.config.regions) {
      const kafka = this.clients[region];
      const found = out.find((o) => o.kafka === kafka);
      if (found) found.regions.push(region);
      else out.push({ kafka, regions: [region] });
    }
    return out;
  }

  createProducer(region: Region): Producer {
    return createIdempotentProducer(this.clients[region]);
  }

  admin(region: Region): Admin {
    return this.clients[region].admin();
  }
}
