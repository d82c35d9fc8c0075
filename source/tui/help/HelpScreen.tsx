// Help (`?`): every key, scrollable; Esc or ? closes it.
import React from 'react';
import { Box } from 'ink';
import { useKeys } from '../common/use-keys.js';
import type { Navigator } from '../app/navigation.js';
import { handleGlobalKey, handleScrollKey } from '../app/common-keys.js';
import { type ScreenName, screenKeys } from '../app/keys.js';
import { useUiOptions } from '../app/ui-options.js';
import { Footer, footerHeight } from '../common/Footer.js';
import { LinesView } from '../common/LinesView.js';
import { useScroll } from '../common/use-scroll.js';
import type { TerminalSize } from '../common/use-terminal-size.js';
import { helpLines } from './help-lines.js';

export function HelpScreen({ nav, from, size }: { nav: Navigator; from: ScreenName; size: TerminalSize }) {
  const { presenter } = useUiOptions();
  const lines = helpLines(from, size.columns, presenter);
  const height = Math.max(size.rows - footerHeight(screenKeys.help, size.columns), 3);
  const { offset, scroll } = useScroll(lines.length, height);
  useKeys((input, key) => {
    if (handleGlobalKey(input, key, nav)) return;
    if (key.upArrow || input === 'k') scroll({ type: 'by', delta: -1 });
    else if (key.downArrow || input === 'j') scroll({ type: 'by', delta: 1 });
    else handleScrollKey(input, key, scroll);
  });
  return (
    <Box flexDirection="column" height={size.rows}>
      <Box flexDirection="column" height={height}>
        <LinesView lines={lines} offset={offset} height={height} />
      </Box>
      <Footer bindings={screenKeys.help} width={size.columns} />
    </Box>
  );
}
