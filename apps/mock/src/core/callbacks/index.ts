export {
  CallbackDispatcher,
  type CallbackDispatcherOptions,
  type DeliveryRecord,
} from "./dispatcher.js";
export { decodeSecret, signingKey, signWebhook, type WebhookHeaders } from "./signature.js";
export { checkCallbackTarget } from "./target.js";
