export { AdminServer, type AdminServerOptions } from './admin-server';
