// User errors versus bugs (issue 18 item 6): a user error is a clear message
// with no stack and its exit code; a bug says it is one, how to report it,
// and carries the stack; a plain Error keeps the CLI's plain treatment.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BugError, errorReport, EXIT_BUG, EXIT_USAGE, isBug, UserError } from '../../source/common/errors.js';
import { UsageError } from '../../source/report/parse-flags.js';
import { cliPath, run } from '../helpers/cluster.js';

const context = { version: '9.9.9', command: 'run sni-matching' };

test('a user error: the message and its hint, no stack, its exit code', (t) => {
  const report = errorReport(new UserError('no lesson "sni-matchin"', { hint: 'agw-workshop list shows the lessons', exitCode: 3 }), context);
  t.is(report.text, 'agw-workshop: no lesson "sni-matchin"\nagw-workshop list shows the lessons\n');
  t.is(report.exitCode, 3);
  t.false(report.text.includes('    at '), 'no stack frames');
});

test('a usage error is a user error: the usage after the message, exit 2', (t) => {
  const report = errorReport(new UsageError('unknown option --stepp — did you mean --step?', 'Usage: agw-workshop run <lesson> [--step N]'), context);
  t.is(report.text, 'agw-workshop: unknown option --stepp — did you mean --step?\nusage: agw-workshop run <lesson> [--step N]\n');
  t.is(report.exitCode, EXIT_USAGE);
});

test('a bug: says it is a bug, how to report it, with the stack, exit 70', (t) => {
  const bug = new BugError('a probe step without a request');
  const report = errorReport(bug, context);
  t.regex(report.text, /^agw-workshop: internal error: a probe step without a request\n/);
  t.regex(report.text, /This is a bug in agw-workshop 9\.9\.9, not something you did\. Please report it/);
  t.regex(report.text, /agw-workshop run sni-matching/);
  t.true(report.text.includes(bug.stack!), 'the stack is printed');
  t.is(report.exitCode, EXIT_BUG);
});

test('programming errors are bugs; plain errors and user errors are not', (t) => {
  t.true(isBug(new TypeError("Cannot read properties of undefined (reading 'url')")));
  t.true(isBug(new RangeError('Invalid array length')));
  t.true(isBug(new BugError('x')));
  t.false(isBug(new Error('the cluster is not running: agw-workshop cluster up')));
  t.false(isBug(new UserError('x')));
  t.false(isBug('a thrown string'));
  const typeError = errorReport(new TypeError('x is not a function'), context);
  t.is(typeError.exitCode, EXIT_BUG);
  t.regex(typeError.text, /TypeError: x is not a function\n\s+at /);
});

test('a user error from another copy of the module (a bundled command) is still a user error', (t) => {
  const copy = Object.assign(new Error('unknown option --presentr'), { [Symbol.for('agw-workshop.UserError')]: true, exitCode: 2, hint: 'usage: agw-workshop [--presenter]' });
  t.deepEqual(errorReport(copy, context), { text: 'agw-workshop: unknown option --presentr\nusage: agw-workshop [--presenter]\n', exitCode: 2 });
});

test('a plain error: message only, exit 1; the stack only with AGW_DEBUG', (t) => {
  const error = new Error('the cluster is not running: agw-workshop cluster up');
  t.deepEqual(errorReport(error, context), { text: 'agw-workshop: the cluster is not running: agw-workshop cluster up\n', exitCode: 1 });
  t.true(errorReport(error, { ...context, debug: true }).text.includes(error.stack!));
  t.deepEqual(errorReport('a thrown string', context), { text: 'agw-workshop: a thrown string\n', exitCode: 1 });
});

test('the built CLI reports a user error without a stack and exits with its code', async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-errors-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const result = await run(process.execPath, [cliPath, 'run', 'sni-matching', '--stepp', '2'], { env: { ...process.env, AGW_WORKSHOP_HOME: home }, timeoutMs: 30_000 });
  t.is(result.code, EXIT_USAGE);
  t.regex(result.stderr, /^agw-workshop: unknown option --stepp — did you mean --step\?\nusage: agw-workshop run <lesson>/);
  t.false(result.stderr.includes('    at '), 'no stack frames');
});
