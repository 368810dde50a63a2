/**
 * The configuration the demo gives the app: the same environment variables a deployment sets,
 * with every provider pointed at the sandbox. Credentials are the sandbox's own fake ones; the
 * keys (token encryption, OTP HMAC, admin API key) are fresh for each run.
 */
import { randomBytes } from 'node:crypto';

/** The sandbox's Eskiz account and amoCRM integration (accepted by the sandbox only). */
export const SANDBOX_ESKIZ = { email: 'demo@uzgate.dev', password: 'sandbox-secret' };
export const SANDBOX_AMOCRM = { clientId: '4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68', clientSecret: 'sandbox-client-secret' };

export interface DemoEnvironment {
  vars: Record<string, string>;
  /** What must never appear in the report. */
  secrets: string[];
}

export function demoEnvironment(options: { sandboxUrl: string; appUrl: string; tokenFile: string }): DemoEnvironment {
  const encryptionKey = randomBytes(32).toString('base64');
  const otpSecret = randomBytes(24).toString('base64url');
  const adminApiKey = randomBytes(18).toString('base64url');
  return {
    vars: {
      SMS_PROVIDER: 'eskiz',
      ESKIZ_EMAIL: SANDBOX_ESKIZ.email,
      ESKIZ_PASSWORD: SANDBOX_ESKIZ.password,
      ESKIZ_BASE_URL: options.sandboxUrl,
      AMOCRM_CLIENT_ID: SANDBOX_AMOCRM.clientId,
      AMOCRM_CLIENT_SECRET: SANDBOX_AMOCRM.clientSecret,
      AMOCRM_REDIRECT_URI: `${options.appUrl}/amocrm/callback`,
      AMOCRM_BASE_URL: options.sandboxUrl,
      // One file for the Eskiz and amoCRM tokens, sealed with AES-256-GCM: it survives restarts.
      UZGATE_TOKEN_STORE: 'file',
      UZGATE_TOKEN_FILE: options.tokenFile,
      UZGATE_ENCRYPTION_KEY: encryptionKey,
      OTP_SECRET: otpSecret,
      OTP_APP_NAME: 'MyShop',
      OTP_DEV_MODE: 'false',
      ADMIN_API_KEY: adminApiKey,
    },
    secrets: [SANDBOX_ESKIZ.password, SANDBOX_AMOCRM.clientSecret, encryptionKey, otpSecret, adminApiKey],
  };
}

/** Variables the app reads; values from the shell or a `.env` file must not leak into the demo. */
const APP_VARIABLE = /^(SMS_PROVIDER|ESKIZ_|TWILIO_|AMOCRM_|OTP_|ADMIN_API_KEY$|UZGATE_(TOKEN_STORE|TOKEN_FILE|REDIS_URL|ENCRYPTION_KEY)$)/;

export function applyEnvironment(vars: Record<string, string>): void {
  for (const key of Object.keys(process.env)) {
    if (APP_VARIABLE.test(key)) Reflect.deleteProperty(process.env, key);
  }
  Object.assign(process.env, vars);
}
