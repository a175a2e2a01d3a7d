export { OperationsListener, type OperationsListenerOptions } from './operations-listener';
