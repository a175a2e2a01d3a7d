export { readFlagsConfig, type FlagsConfig } from './flags.config';
export { RuntimeFlags, type FlagValues } from './runtime-flags';
