/** Injection token of the process's pino logger: `@Inject(LOGGER) private readonly logger: Logger`. */
export const LOGGER = Symbol('missive.logger');
