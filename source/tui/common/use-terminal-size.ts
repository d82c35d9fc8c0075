// The terminal's size, updated on resize so every screen reflows.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Sizes below this are treated as this: the screens are designed for 80x24 and up. */
const minimum = { columns: 40, rows: 12 };

function read(stdout: NodeJS.WriteStream): TerminalSize {
  return {
    columns: Math.max(stdout.columns || 80, minimum.columns),
    rows: Math.max(stdout.rows || 24, minimum.rows),
  };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => setSize(read(stdout));
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
