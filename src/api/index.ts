export { buildApi, type ApiOptions } from './server.ts';
export { sendError } from './errors.ts';
