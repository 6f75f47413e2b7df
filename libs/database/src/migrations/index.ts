import { GlobalFoundation1763900000000 } from './global/1763900000000-global-foundation';
import { RegionalFoundation1763900000000 } from './regional/1763900000000-regional-foundation';

/**
 * Committed migrations, listed explicitly (not globbed) so bundled builds carry them. Append new ones at the
 * end. The global directory holds no contact personal data (R-T2); regional databases hold it all.
 */
export const GLOBAL_MIGRATIONS: Function[] = [GlobalFoundation1763900000000];
export const REGIONAL_MIGRATIONS: Function[] = [RegionalFoundation1763900000000];
