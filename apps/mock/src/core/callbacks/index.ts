export {
  CallbackDispatcher,
  type CallbackDispatcherOptions,
  type DeliveryRecord,
} from "./dispatcher.js";
export { checkCallbackTarget } from "./target.js";
