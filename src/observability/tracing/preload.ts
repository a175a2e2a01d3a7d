// Imported first by main.ts, before anything loads http, express, grpc-js or pg: tracing can
// only instrument modules loaded after it starts. An invalid tracing variable is left for the
// composition root to report (it reads the same variables and exits with status 2).
import { ConfigError, EnvReader } from '../../config/env-reader';
import { startTracing, type RunningTracing } from './start-tracing';
import { readTracingConfig } from './tracing.config';

function startFromEnvironment(): RunningTracing | undefined {
  try {
    return readTracingConfig(new EnvReader(process.env)).enabled ? startTracing() : undefined;
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/** The running tracing, or undefined when OTEL_TRACES_EXPORTER is none (the default). */
export const runningTracing: RunningTracing | undefined = startFromEnvironment();
