export { Notifications, type NotificationRequest, type NotificationsOptions } from './service.ts';
export {
  NotificationDispatcher,
  type DispatcherEventMap,
  type DispatcherOptions,
  type PassResult,
} from './dispatcher.ts';
export { TemplateRenderer, type RenderedMessage } from './templates.ts';
export { BUILTIN_TEMPLATES, type MessageTemplate } from './builtin-templates.ts';
export {
  Channel,
  NotificationStatus,
  listNotifications,
  messageIdFor,
  resendNotification,
  type NotificationRow,
} from './outbox.ts';
export { notifyStep } from './step.ts';
export { approvalNotifier, approvalNoticeData } from './approval-notices.ts';
export { redact } from './errors.ts';
