// Placeholder until this command lands; it says so instead of pretending.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agw-workshop: the "gateway" command is not built yet\n');
  return 1;
}
