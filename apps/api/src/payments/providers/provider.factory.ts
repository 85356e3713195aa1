import type { PaymentsConfig } from '../../config/app-config.js';
import { InstantProvider } from './instant.provider.js';
import type { PaymentProvider } from './payment-provider.js';
import { StripeProvider } from './stripe.provider.js';
import { TossProvider } from './toss.provider.js';

/** Injection token of the configured PaymentProvider. */
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** The adapter PAYMENT_PROVIDER names, with its keys (the config refused to start without them). */
export function createPaymentProvider(config: PaymentsConfig): PaymentProvider {
  if (config.provider === 'toss') {
    const toss = config.toss!;
    return new TossProvider({ secretKey: toss.secretKey, clientKey: toss.clientKey, apiBaseUrl: toss.apiBaseUrl, sdkUrl: toss.sdkUrl, timeoutMs: config.timeoutMs });
  }
  if (config.provider === 'stripe') {
    const stripe = config.stripe!;
    return new StripeProvider({
      secretKey: stripe.secretKey,
      webhookSecret: stripe.webhookSecret,
      currency: stripe.currency,
      webhookToleranceSeconds: config.webhookToleranceSeconds,
      timeoutMs: config.timeoutMs,
      ...(stripe.apiBaseUrl ? { apiBaseUrl: stripe.apiBaseUrl } : {}),
    });
  }
  return new InstantProvider();
}
