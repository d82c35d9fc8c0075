// Counts in words, for every screen, report and log line: "1 step", "2 steps".
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
