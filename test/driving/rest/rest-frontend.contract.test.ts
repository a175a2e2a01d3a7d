import { runFrontendContract } from '../../contracts/frontend.contract';
import { startRestFrontend } from '../../support/rest-server';
import { restDriver } from './rest-driver';

runFrontendContract('rest', {
  start: async (store) => restDriver(await startRestFrontend(store)),
});
