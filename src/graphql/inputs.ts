/*
 * GraphQL inputs carry null for "not given"; domain inputs leave the key out
 * (exactOptionalPropertyTypes). This turns one into the other, nothing more.
 */

export type DefinedOnly<T> = { [K in keyof T]?: NonNullable<T[K]> };

export function definedOnly<T extends object>(input: T | null | undefined): DefinedOnly<T> {
  const out: Record<string, unknown> = {};
  if (input) {
    for (const [key, value] of Object.entries(input))
      if (value !== null && value !== undefined) out[key] = value;
  }
  return out as DefinedOnly<T>;
}
