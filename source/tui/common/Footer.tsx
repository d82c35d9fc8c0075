import React from 'react';
import { Box } from 'ink';
import { footerLines, type KeyBinding } from '../app/keys.js';
import { LinesView } from './LinesView.js';

/** The keys of the screen, always at its bottom. */
export function Footer({ bindings, width }: { bindings: KeyBinding[]; width: number }) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      <LinesView lines={footerLines(bindings, width)} />
    </Box>
  );
}

export function footerHeight(bindings: KeyBinding[], width: number): number {
  return footerLines(bindings, width).length;
}
