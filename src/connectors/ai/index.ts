export {
  AiClient,
  aiClientFor,
  sha256,
  type AiClientDeps,
  type AnswerSchema,
  type ChatMessage,
  type Completion,
} from './client.ts';
export { retryAfterOf } from './errors.ts';
export { AiProviderSettings, aiProviderSettings, DEFAULT_AI_RETRY } from './settings.ts';
