import { runFrontendContract } from '../../contracts/frontend.contract';
import { grpcDriver, startGrpc } from './grpc-driver';

runFrontendContract('grpc', {
  start: async (store) => grpcDriver(await startGrpc(store)),
});
