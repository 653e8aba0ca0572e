/**
 * Standard Webhooks' published test vector (the standard-webhooks libraries' own tests): this
 * secret, id, timestamp and body sign to this signature, in every correct implementation.
 */
export const STANDARD_WEBHOOKS_VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
} as const;
