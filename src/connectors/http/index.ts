export { httpRequestStep } from './request-step.ts';
export { httpCall, HttpCallTimedOut, type HttpAnswer, type HttpCall } from './client.ts';
export { httpStatusError, httpTransportError, parseRetryAfter, safeUrl } from './errors.ts';
