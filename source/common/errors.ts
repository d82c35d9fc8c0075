// User errors versus bugs, the way Shopify's cli-kit tells AbortError from
// BugError. A user error is something the learner can act on (a mistyped
// flag, a file that is not there): a clear message, no stack, a meaningful exit
// code. A bug is ours: the message, how to report it, and the stack.
// Errors thrown as plain `Error` keep the CLI's plain treatment (message, exit
// 1, stack with AGW_DEBUG=1): most of them carry messages written for the
// learner. What cannot be a learner's doing (TypeError, RangeError,
// ReferenceError, SyntaxError, an assertion) is reported as a bug.

/** Exit codes the CLI uses for errors (0, 1 and 130 are the commands' own). */
export const EXIT_USER_ERROR = 1;
export const EXIT_USAGE = 2;
/** sysexits.h EX_SOFTWARE: an internal software error. */
export const EXIT_BUG = 70;

export interface UserErrorOptions {
  /** Lines printed after the message, e.g. the usage or what to do next. */
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

// Recognised by a registered symbol, not instanceof: the bundled commands
// (source/build/bundle-commands.mjs) carry their own copy of this module.
const USER_ERROR = Symbol.for('agw-workshop.UserError');
const BUG_ERROR = Symbol.for('agw-workshop.BugError');

/** Something the learner can fix; printed without a stack. */
export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  readonly [USER_ERROR] = true;
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_USER_ERROR;
  }
}

/** A state the program should never reach: reported as a bug, with the stack. */
export class BugError extends Error {
  readonly [BUG_ERROR] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BugError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[USER_ERROR] === true;
}

const PROGRAMMING_ERRORS = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'AssertionError', 'EvalError'];

export function isBug(error: unknown): boolean {
  if (error instanceof Error && (error as unknown as Record<symbol, unknown>)[BUG_ERROR] === true) return true;
  if (isUserError(error)) return false;
  return error instanceof Error && (PROGRAMMING_ERRORS.includes(error.name) || error.constructor.name === 'AssertionError');
}

export interface ErrorReport {
  /** What goes to stderr, ending in a newline. */
  text: string;
  exitCode: number;
}

/** How the CLI reports an error that reached it: pure, so it is tested without a process. */
export function errorReport(error: unknown, context: { version: string; command: string; debug?: boolean }): ErrorReport {
  if (isUserError(error)) {
    return { text: `agw-workshop: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`, exitCode: error.exitCode };
  }
  if (isBug(error)) {
    const e = error as Error;
    const text = [
      `agw-workshop: internal error: ${e.message}`,
      `This is a bug in agw-workshop ${context.version}, not something you did. Please report it with the command`,
      `you ran (agw-workshop ${context.command}), your Node version (${process.version}) and the text below:`,
      '',
      e.stack ?? `${e.name}: ${e.message}`,
      '',
    ].join('\n');
    return { text, exitCode: EXIT_BUG };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = context.debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  return { text: `agw-workshop: ${message}\n${stack}`, exitCode: EXIT_USER_ERROR };
}
