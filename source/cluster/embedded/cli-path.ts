// Where the CLI entry is, from dist/ (built) or source/ (under tsx): what the
// detached cluster process and pod processes run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function cliPath(): string {
  // dist/source/cluster/embedded/cli-path.js → dist/source/cli.js
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.resolve(here, '..', '..', 'cli.js');
  if (built.includes(`${path.sep}dist${path.sep}`) && fs.existsSync(built)) return built;
  const fromSource = path.resolve(here, '..', '..', '..', 'dist', 'source', 'cli.js');
  return fs.existsSync(fromSource) ? fromSource : built;
}
