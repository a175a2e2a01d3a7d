export { grpcReadOnlyGuard, restReadOnlyGuard } from './read-only-guard';
