/**
 * Where uzgate's log lines go: a function, or any object shaped like Nest's LoggerService
 * (`log`, `warn`, `error`, optional `debug`/`verbose`). Lines arrive already masked.
 */
import { runContained } from './contained-callbacks';
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

/** A function may return a promise: its rejection is contained like a throw. */
export type UzgateLogger = ((line: LogLine) => unknown) | LoggerLike;

/** The logger as the addon calls it; a logger that throws or rejects is contained. */
export function toNativeLogger(logger?: UzgateLogger): ((line: Native.LogLine) => void) | undefined {
  if (!logger) return undefined;
  const write = typeof logger === 'function' ? (line: Native.LogLine): unknown => logger(line as LogLine) : toLoggerService(logger);
  return (line) => {
    runContained('logger', () => write(line));
  };
}

// The scope goes into the text, not a second argument: a Nest `Logger` created with its own
// context prints extra arguments as further messages.
function toLoggerService(logger: LoggerLike): (line: Native.LogLine) => unknown {
  return (line) => {
    const text = `${line.scope}: ${line.message}`;
    switch (line.level) {
      case 'debug':
        return (logger.debug ?? logger.verbose ?? logger.log).call(logger, text);
      case 'warn':
        return logger.warn(text);
      case 'error':
        return logger.error(text);
      default:
        return logger.log(text);
    }
  };
}
