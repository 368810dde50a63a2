/** `{ ...base, ...override }` where an `undefined` in `override` does not erase `base`. */
export function mergeDefined<T extends object>(base: T, override: Partial<T>): T {
  const result = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}
