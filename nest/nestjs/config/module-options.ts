/**
 * The Nest modules' options are a client's options plus the module's own routes: an unknown key
 * at that level (`callback`, `baseUrll`) is a CONFIG error naming the closest known key, before
 * the environment fills in and the client is built (where the core checks every option).
 */
import { native } from '../../native';
import { checkShape, optional, shape } from '../../option-shape';

/** The client's top-level keys as the core lists them, the TypeScript-only ones, and `moduleKeys`. */
export function checkModuleOptions(
  name: string,
  client: 'sms' | 'amocrm' | 'otp',
  moduleKeys: readonly string[],
  options: object,
): void {
  const tsOnly = client === 'otp' ? ['sms', 'logger'] : ['logger'];
  const keys = [...native.optionKeys()[client], ...tsOnly, ...moduleKeys, 'isGlobal'];
  checkShape(shape(name, Object.fromEntries(keys.map((k) => [k, optional('any')]))), options, 'CONFIG');
}
