/**
 * Where uzgate's log lines go: a function, or any object shaped like Nest's LoggerService
 * (`log`, `warn`, `error`, optional `debug`/`verbose`). Lines arrive already masked.
 */
import type { Native } from './native';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: LogLevel;
  /** Which part of uzgate speaks, e.g. `uzgate:eskiz`. */
  scope: string;
  message: string;
}

export interface LoggerLike {
  log(message: string, context?: string): unknown;
  warn(message: string, context?: string): unknown;
  error(message: string, context?: string): unknown;
  debug?(message: string, context?: string): unknown;
  verbose?(message: string, context?: string): unknown;
}

export type UzgateLogger = ((line: LogLine) => void) | LoggerLike;

export function toNativeLogger(logger?: UzgateLogger): ((line: Native.LogLine) => void) | undefined {
  if (!logger) return undefined;
  if (typeof logger === 'function') {
    return (line) => logger(line as LogLine);
  }
  return (line) => {
    switch (line.level) {
      case 'debug':
        (logger.debug ?? logger.verbose ?? logger.log).call(logger, line.message, line.scope);
        break;
      case 'warn':
        logger.warn(line.message, line.scope);
        break;
      case 'error':
        logger.error(line.message, line.scope);
        break;
      default:
        logger.log(line.message, line.scope);
    }
  };
}
