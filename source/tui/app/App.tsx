// The root: providers, the screen stack and quitting. Screens are thin views;
// state lives in hooks and reducers (navigation, lesson session, playground).
import React, { lazy, Suspense, useCallback, useMemo, useReducer, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { WorkshopServices } from '../model.js';
import { ServicesProvider } from './services-context.js';
import { KeyRouter } from '../common/use-keys.js';
import { UiOptionsProvider } from './ui-options.js';
import { navigationReducer, type Navigator, type Screen } from './navigation.js';
import { useLessonSession } from '../lesson/use-lesson-session.js';
import { HomeScreen } from '../home/HomeScreen.js';
import { HelpScreen } from '../help/HelpScreen.js';
import { SummaryScreen } from '../summary/SummaryScreen.js';

// Screens with @inkjs/ui inputs load after the first frame (see ThemedScreens.tsx).
const loadThemedScreens = () => import('./ThemedScreens.js');
const LessonScreen = lazy(() => loadThemedScreens().then((m) => ({ default: m.ThemedLessonScreen })));
const PlaygroundScreen = lazy(() => loadThemedScreens().then((m) => ({ default: m.ThemedPlaygroundScreen })));
// Fetched once the home screen has listed the lessons, so opening a lesson is instant and the
// fetch does not compete with the home screen's own start.
const preloadLessonScreens = () => void loadThemedScreens();
import { useTerminalSize } from '../common/use-terminal-size.js';

export interface AppProps {
  services: WorkshopServices;
  presenter?: boolean;
  color?: boolean;
  /** Screens to start on (tests open a lesson directly). */
  initialStack?: Screen[];
}

export function App({ services, presenter = false, color = true, initialStack }: AppProps) {
  const options = useMemo(() => ({ presenter, color }), [presenter, color]);
  return (
    <UiOptionsProvider value={options}>
      <ServicesProvider value={services}>
        <KeyRouter>
          <Router services={services} initialStack={initialStack ?? [{ name: 'home' }]} />
        </KeyRouter>
      </ServicesProvider>
    </UiOptionsProvider>
  );
}

function Router({ services, initialStack }: { services: WorkshopServices; initialStack: Screen[] }) {
  const [stack, dispatch] = useReducer(navigationReducer, initialStack);
  const [quitting, setQuitting] = useState(false);
  const session = useLessonSession(services);
  const { exit } = useApp();
  const size = useTerminalSize();

  const quit = useCallback(() => {
    setQuitting(true);
    // A run in progress stops after its current action; its journal lets it resume later.
    void session.stop().finally(() => exit());
  }, [session, exit]);

  const nav: Navigator = useMemo(
    () => ({
      push: (screen) => dispatch({ type: 'push', screen }),
      back: () => dispatch({ type: 'back' }),
      openLesson: (lessonId) => dispatch({ type: 'open-lesson', lessonId }),
      home: () => dispatch({ type: 'home' }),
      toggleHelp: () => dispatch({ type: 'toggle-help' }),
      quit,
    }),
    [quit],
  );

  if (quitting) {
    return (
      <Box flexDirection="column">
        <Text>Closing the workshop… the cluster keeps running.</Text>
      </Box>
    );
  }

  const screen = stack[stack.length - 1]!;
  const previous = stack[stack.length - 2];
  // The frame stays one row short of the terminal so Ink never has to clear the screen to redraw.
  const height = size.rows - 1;
  return (
    <Box flexDirection="column" width={size.columns} height={height}>
      {screen.name === 'home' && <HomeScreen nav={nav} size={{ ...size, rows: height }} lastLessonId={session.lesson?.id} onListed={preloadLessonScreens} />}
      <Suspense fallback={<Text>Loading…</Text>}>
        {screen.name === 'lesson' && <LessonScreen nav={nav} lessonId={screen.lessonId} session={session} size={{ ...size, rows: height }} />}
        {screen.name === 'playground' && (
          <PlaygroundScreen nav={nav} lessonId={screen.lessonId} stepIndex={screen.stepIndex} session={session} size={{ ...size, rows: height }} />
        )}
      </Suspense>
      {screen.name === 'summary' && <SummaryScreen nav={nav} lessonId={screen.lessonId} session={session} size={{ ...size, rows: height }} />}
      {screen.name === 'help' && <HelpScreen nav={nav} from={previous?.name ?? 'home'} size={{ ...size, rows: height }} />}
    </Box>
  );
}
