import { ConfigError } from '../config/env-reader';
import { PortInUseError, type Frontend, type ListeningAddress } from '../driving/frontend.port';

/** The variable that sets each listener's port, by the listener's name: what a taken port is reported as. */
const PORT_VARIABLES: Readonly<Record<string, string>> = {
  rest: 'KVS_HTTP_PORT',
  grpc: 'KVS_GRPC_PORT',
  admin: 'KVS_ADMIN_PORT',
};

/**
 * Starts a listener; a port another process holds becomes a ConfigError naming the variable
 * that chose it (`KVS_HTTP_PORT=8080: address already in use`), since the fix is a setting.
 */
export async function startListener(listener: Frontend): Promise<ListeningAddress> {
  try {
    return await listener.start();
  } catch (error) {
    const variable = PORT_VARIABLES[listener.name];
    if (!(error instanceof PortInUseError) || variable === undefined) throw error;
    throw new ConfigError(`config: ${variable}=${error.port}: address already in use`);
  }
}
