/**
 * The saga's compensation stack: each side effect pushes its undo *before* it runs (so an effect whose outcome
 * is unknown — failed after commit, cancelled in flight — is still undone), and on failure or cancellation the
 * stack runs in exact reverse order, every undo attempted even when an earlier one failed for good.
 */
import type { CompensationName, CompensationRun } from '../../domain/maintenance/saga';

type UndoResult = Exclude<CompensationRun['result'], 'failed'>;

export class CompensationStack {
  private readonly stack: { name: CompensationName; undo: () => Promise<UndoResult> }[] = [];

  register(name: CompensationName, undo: () => Promise<UndoResult>): void {
    this.stack.push({ name, undo });
  }

  /** After a successful execution nothing is left to undo. */
  clear(): void {
    this.stack.length = 0;
  }

  /** Runs every registered undo, last first; `onRun` sees each result as it happens (for the status query). */
  async runInReverse(onRun: (run: CompensationRun) => void): Promise<CompensationRun[]> {
    const runs: CompensationRun[] = [];
    while (this.stack.length > 0) {
      const { name, undo } = this.stack.pop()!;
      let run: CompensationRun;
      try {
        run = { name, result: await undo() };
      } catch (error) {
        run = { name, result: 'failed', error: messageOf(error) };
      }
      runs.push(run);
      onRun(run);
    }
    return runs;
  }
}

/** The innermost cause's message: an ActivityFailure wraps the ApplicationFailure that says what happened. */
export function messageOf(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.message ?? String(error);
}
