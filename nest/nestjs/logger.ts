import { Logger } from '@nestjs/common';
import type { UzgateLogger } from '../index';

/** The clients' log lines go to Nest's Logger (context `uzgate`) unless the options name another. */
export function loggerOrDefault(logger: UzgateLogger | undefined): UzgateLogger {
  return logger ?? new Logger('uzgate');
}
