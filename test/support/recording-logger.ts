import { pino, type Logger } from 'pino';

/** One parsed log line. */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly [field: string]: unknown;
}

/** A real pino logger whose lines are parsed and kept, for tests that check what was logged. */
export interface RecordingLogger {
  readonly logger: Logger;
  readonly records: LogRecord[];
  /** The messages logged at `level` (pino's name, e.g. 'warn'). */
  messages(level: 'debug' | 'info' | 'warn' | 'error' | 'fatal'): string[];
}

/** Creates a RecordingLogger that records every level from debug up. */
export function recordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line) as LogRecord) });
  return {
    logger,
    records,
    messages: (level) =>
      records.filter((record) => record.level === pino.levels.values[level]).map((record) => record.msg),
  };
}

/** A real pino logger that appends the message of every line it logs to `messages`. */
export function loggerInto(messages: string[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => messages.push((JSON.parse(line) as LogRecord).msg) });
}
