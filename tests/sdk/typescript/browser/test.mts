// `node:test` in a browser page, as much of it as the SDK's suite uses: `test(name, fn)` registers,
// and `run()` runs every test in order, one at a time, as `node --test` runs a file.
type Body = () => unknown;

const registered: { name: string; body: Body }[] = [];

export function test(name: string, body: Body): void {
  registered.push({ name, body });
}

export interface Outcome {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

export async function run(): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const { name, body } of registered.splice(0)) {
    const started = performance.now();
    try {
      await body();
      outcomes.push({ name, ok: true, ms: performance.now() - started });
    } catch (error) {
      const shown = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
      outcomes.push({ name, ok: false, error: shown, ms: performance.now() - started });
    }
  }
  return outcomes;
}
