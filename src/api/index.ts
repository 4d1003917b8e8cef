export { buildApi, API_ROUTES, type ApiOptions } from './server.ts';
export { sendError } from './errors.ts';
export type { AiModels, ApiServices, MailAttachment } from './services.ts';
export { openApiDocument } from './openapi.ts';
export type { RouteSpec, Access } from './route.ts';
export { startSecurity, type SecurityStartup } from './startup.ts';
export {
  saveWorkflowVersion,
  type SaveVersionRequest,
  type SavedVersion,
} from './workflow-drafts.ts';
