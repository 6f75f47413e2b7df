import { promises as dns } from 'node:dns';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';

/** DNS errors that mean "no such record", not "could not ask". */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/**
 * TXT look-ups for sending-domain verification (R-S9), through the servers of DNS_RESOLVER (tests point it at a
 * loopback DNS server) or the system's. Each record's strings are joined, as DKIM and SPF read them (RFC 6376 §3.6.2.2,
 * RFC 7208 §3.3).
 */
@Injectable()
export class DnsTxtLookup {
  private readonly resolver = new dns.Resolver({ timeout: 3000, tries: 2 });

  constructor(config: MissiveConfig) {
    if (config.sendingDomains.dnsServers) this.resolver.setServers(config.sendingDomains.dnsServers);
  }

  /** The name's TXT records, or null when it has none; throws when DNS could not be asked. */
  async txt(name: string): Promise<string[] | null> {
    try {
      return (await this.resolver.resolveTxt(name)).map((strings) => strings.join(''));
    } catch (error) {
      if (NO_RECORD.has((error as NodeJS.ErrnoException).code ?? '')) return null;
      throw error;
    }
  }
}
