export const ErrorCategory = {
  user: 'user',
  transient: 'transient',
  policy: 'policy',
  bug: 'bug',
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];
