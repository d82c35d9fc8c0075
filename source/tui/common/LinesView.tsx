// Renders prepared lines; the only place segments become Ink <Text>.
import React from 'react';
import { Box, Text } from 'ink';
import type { Line } from './lines.js';
import { roleStyle } from './theme.js';
import { useUiOptions } from '../app/ui-options.js';

export function StyledLine({ line }: { line: Line }) {
  const { color } = useUiOptions();
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((segment, i) => (
        <Text key={i} {...roleStyle(segment.role, color)}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}

export function LinesView({ lines, offset = 0, height }: { lines: Line[]; offset?: number; height?: number }) {
  const visible = height === undefined ? lines.slice(offset) : lines.slice(offset, offset + height);
  return (
    <Box flexDirection="column" flexShrink={0}>
      {visible.map((line, i) => (
        <StyledLine key={offset + i} line={line} />
      ))}
    </Box>
  );
}
