export { httpRequestStep } from './request-step.ts';
export { httpStatusError, httpTransportError, parseRetryAfter, safeUrl } from './errors.ts';
