import { runFrontendContract } from '../../contracts/frontend.contract';
import { restDriver, startRest } from './rest-driver';

runFrontendContract('rest', {
  start: async (store) => restDriver(await startRest(store)),
});
