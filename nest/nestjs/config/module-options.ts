/**
 * The Nest modules' options are a client's options plus the module's own routes: an unknown key
 * at that level (`callback`, `baseUrll`) is a CONFIG error naming the closest known key, before
 * the environment fills in and the client is built (which checks the nested options).
 */
import { checkShape, optional, shape, type Shape } from '../../option-shape';

/** `client`'s keys, each optional (the environment may complete them), plus `moduleKeys`. */
export function checkModuleOptions(name: string, client: Shape, moduleKeys: readonly string[], options: object): void {
  const fields = Object.fromEntries(Object.entries(client.fields).map(([key, field]) => [key, { ...field, optional: true }]));
  for (const key of [...moduleKeys, 'isGlobal']) fields[key] = optional('any');
  checkShape(shape(name, fields), options, 'CONFIG');
}
