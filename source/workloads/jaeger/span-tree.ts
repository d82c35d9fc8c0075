// Spans in tree order (parents before children) with their depth, for
// whatever span shape the reader has: the trace page (Jaeger JSON) and the
// TUI's trace view (its own SpanView) both lay traces out this way. A span
// whose parent is not in the trace is a root; cycles and depth are bounded.
export function treeOrder<T>(spans: readonly T[], idOf: (span: T) => string, parentOf: (span: T) => string | undefined, maxDepth: number): { span: T; depth: number }[] {
  const ids = new Set(spans.map(idOf));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const span of spans) {
    const parent = parentOf(span);
    if (parent && ids.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
    else roots.push(span);
  }
  const out: { span: T; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (span: T, depth: number) => {
    if (seen.has(idOf(span)) || depth > maxDepth) return;
    seen.add(idOf(span));
    out.push({ span, depth });
    for (const child of children.get(idOf(span)) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return out;
}
