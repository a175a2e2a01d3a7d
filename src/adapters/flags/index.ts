export { readFlagsConfig, type FlagsConfig } from './flags.config';
export { grpcReadOnlyGuard, restReadOnlyGuard } from './read-only-guard';
export { RuntimeFlags, type FlagValues } from './runtime-flags';
