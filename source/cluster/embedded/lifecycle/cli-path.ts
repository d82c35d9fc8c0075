// Where the CLI entry is, from dist/ (built) or source/ (under tsx): what the
// detached cluster process and pod processes run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `source` directory this module sits in (dist/source when built), at whatever depth: moving the module does not change the answer. */
function sourceDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (path.basename(dir) !== 'source' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function cliPath(): string {
  // dist/source/…/cli-path.js → dist/source/cli.js
  const source = sourceDirectory();
  const built = path.join(source, 'cli.js');
  if (built.includes(`${path.sep}dist${path.sep}`) && fs.existsSync(built)) return built;
  const fromSource = path.resolve(source, '..', 'dist', 'source', 'cli.js');
  return fs.existsSync(fromSource) ? fromSource : built;
}
