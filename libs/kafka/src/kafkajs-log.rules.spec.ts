import { logLevel } from 'kafkajs';
import { kafkajsLogLevel } from './kafkajs-log.rules';

describe('kafkajsLogLevel', () => {
  it("R-X3: a heartbeat answered 'rebalancing' (a replica joining its group) is debug, not an error", () => {
    expect(kafkajsLogLevel(logLevel.ERROR, { error: 'The group is rebalancing, so a rejoin is needed' })).toBe('debug');
  });

  it('R-X3: every other entry keeps its level', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, { error: 'Connection error: connect ECONNREFUSED' })).toBe('error');
    expect(kafkajsLogLevel(logLevel.WARN, {})).toBe('warn');
    expect(kafkajsLogLevel(logLevel.INFO, {})).toBe('info');
    expect(kafkajsLogLevel(logLevel.DEBUG, {})).toBe('debug');
  });
});
