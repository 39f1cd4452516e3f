// `node:assert/strict` in a browser page, as much of it as the SDK's suite uses, with its meaning:
// `equal` is Object.is, `deepEqual` compares prototypes and own enumerable properties all the way down.
export class AssertionError extends Error {
  override name = "AssertionError";
}

function failing(message: string | undefined, fallback: () => string): never {
  throw new AssertionError(message ?? fallback());
}

const shown = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && same((a as never)[key], (b as never)[key]));
}

const assert = {
  ok(value: unknown, message?: string): void {
    if (!value) failing(message, () => `expected a truthy value, got ${shown(value)}`);
  },
  equal(actual: unknown, expected: unknown, message?: string): void {
    if (!Object.is(actual, expected)) failing(message, () => `${shown(actual)} !== ${shown(expected)}`);
  },
  notEqual(actual: unknown, expected: unknown, message?: string): void {
    if (Object.is(actual, expected)) failing(message, () => `both are ${shown(actual)}`);
  },
  deepEqual(actual: unknown, expected: unknown, message?: string): void {
    if (!same(actual, expected)) failing(message, () => `${shown(actual)} does not deep-equal ${shown(expected)}`);
  },
  match(text: string, pattern: RegExp, message?: string): void {
    if (!pattern.test(text)) failing(message, () => `${shown(text)} does not match ${pattern}`);
  },
  fail(message?: string): never {
    return failing(message, () => "failed");
  },
  async rejects(promise: Promise<unknown>, check: (error: unknown) => boolean): Promise<void> {
    let error: unknown;
    try {
      await promise;
    } catch (caught) {
      error = caught ?? new Error("rejected with nothing");
    }
    if (error === undefined) failing(undefined, () => "expected a rejection");
    if (!check(error)) failing(undefined, () => `the rejection ${String(error)} failed its check`);
  },
};

export default assert;
