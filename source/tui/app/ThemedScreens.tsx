// The screens that use @inkjs/ui (spinner, text input, select), with its theme.
// App loads this module lazily: the home screen's first frame does not wait
// for @inkjs/ui, and App preloads it right after that frame.
import React, { useMemo } from 'react';
import { ThemeProvider } from '@inkjs/ui';
import { LessonScreen } from '../lesson/LessonScreen.js';
import { PlaygroundScreen } from '../playground/PlaygroundScreen.js';
import { useUiOptions } from './ui-options.js';
import { uiTheme } from './ui-theme.js';

function Themed({ children }: { children: React.ReactNode }) {
  const { color } = useUiOptions();
  const theme = useMemo(() => uiTheme(color), [color]);
  return <ThemeProvider theme={theme}>{children}</ThemeProvider>;
}

export function ThemedLessonScreen(props: React.ComponentProps<typeof LessonScreen>) {
  return (
    <Themed>
      <LessonScreen {...props} />
    </Themed>
  );
}

export function ThemedPlaygroundScreen(props: React.ComponentProps<typeof PlaygroundScreen>) {
  return (
    <Themed>
      <PlaygroundScreen {...props} />
    </Themed>
  );
}
