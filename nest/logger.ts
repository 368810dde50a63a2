/**
 * Where uzgate's log lines go: a function, or any object shaped like Nest's LoggerService
 * (`log`, `warn`, `error`, optional `debug`/`verbose`). Lines arrive already masked.
 */
import type { LogLevel } from './generated/LogLevel';
import type { Native } from './native';

export type { LogLevel } from './generated/LogLevel';

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
    return (line) => {
      logger(line as LogLine);
    };
  }
  // The scope goes into the text, not a second argument: a Nest `Logger` created with its own
  // context prints extra arguments as further messages.
  return (line) => {
    const text = `${line.scope}: ${line.message}`;
    switch (line.level) {
      case 'debug':
        (logger.debug ?? logger.verbose ?? logger.log).call(logger, text);
        break;
      case 'warn':
        logger.warn(text);
        break;
      case 'error':
        logger.error(text);
        break;
      default:
        logger.log(text);
    }
  };
}
