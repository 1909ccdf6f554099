/**
 * Errors a person can act on: what is wrong, where (file, line:column or byte offset), and what was
 * expected. The CLI prints `message` on one line and exits 2. Each kind has a fixed `code`.
 */

export interface Where {
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
}

function place(w: Where): string {
  let s = w.file ?? "";
  if (w.line !== undefined) {
    s += `${s ? ":" : "line "}${w.line}`;
    if (w.column !== undefined) s += `:${w.column}`;
  } else if (w.offset !== undefined) {
    s += `${s ? ": " : ""}byte offset ${w.offset}`;
  }
  return s;
}

export abstract class PortmatrixError extends Error {
  abstract readonly code: string;
  readonly where: Where;
  constructor(message: string, where: Where = {}) {
    const p = place(where);
    super(p ? `${p}: ${message}` : message);
    this.where = where;
  }
}

/** Bad command-line usage: unknown option value, missing argument. */
export class UsageError extends PortmatrixError {
  readonly code = "usage";
  override readonly name = "UsageError";
}

/** An input that cannot be read at all: missing, unreadable, a format no decoder knows, truncated gzip. */
export class InputError extends PortmatrixError {
  readonly code = "input";
  override readonly name = "InputError";
}

/** A ruleset or inventory that does not validate. */
export class ValidationError extends PortmatrixError {
  readonly code = "validation";
  override readonly name = "ValidationError";
}

/**
 * A saved report made with another ruleset or inventory than the one it is compared with (`diff`,
 * `why`, `--baseline`): its verdicts do not compare. `--allow-mismatch` turns it into a warning.
 */
export class MismatchError extends PortmatrixError {
  readonly code = "mismatch";
  override readonly name = "MismatchError";
}

/** A system error as "ENOSPC (no space left on device)", or the message of any other error. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException | undefined;
  if (typeof err?.code !== "string") return String(err?.message ?? e);
  const what = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message ?? "")?.[1];
  return what ? `${err.code} (${what})` : err.code;
}

/** A SQL engine that is missing, cannot be reached, or refused the query. */
export class EngineError extends PortmatrixError {
  readonly code = "engine";
  override readonly name = "EngineError";
}

/**
 * Every problem of one file found in one pass (an inventory with three typos says all three), each a
 * ValidationError with its own position. `message` holds them one per line; the CLI prints each line.
 */
export class ValidationErrors extends ValidationError {
  constructor(readonly problems: readonly ValidationError[]) {
    super(problems.map((p) => p.message).join("\n"));
  }
}
