export { httpRequestStep } from './request-step.ts';
export { httpCall, type HttpAnswer } from './client.ts';
export { httpStatusError, httpTransportError, parseRetryAfter, safeUrl } from './errors.ts';
