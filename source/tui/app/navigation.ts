// Which screen is showing: a stack, so Esc always goes back where you came from.
export type Screen =
  | { name: 'home' }
  | { name: 'lesson'; lessonId: string }
  /** The end of a lesson: what you did, what you saw, the lab text's corrections, the next lesson. */
  | { name: 'summary'; lessonId: string }
  | { name: 'playground'; lessonId: string; stepIndex: number }
  | { name: 'help' };

/** What every screen may ask of the app (App.tsx makes it). Here, not in App.tsx, so screens need not import the root that imports them. */
export interface Navigator {
  push(screen: Screen): void;
  back(): void;
  /** Open a lesson from home (the stack becomes home, lesson). */
  openLesson(lessonId: string): void;
  home(): void;
  toggleHelp(): void;
  quit(): void;
}

export type NavigationAction =
  | { type: 'push'; screen: Screen }
  | { type: 'back' }
  | { type: 'toggle-help' }
  /** Home, then this lesson: Esc from it goes home, not back through the lesson before. */
  | { type: 'open-lesson'; lessonId: string }
  | { type: 'home' };

export function navigationReducer(stack: Screen[], action: NavigationAction): Screen[] {
  switch (action.type) {
    case 'push':
      return [...stack, action.screen];
    case 'back':
      return stack.length > 1 ? stack.slice(0, -1) : stack;
    case 'open-lesson':
      return [{ name: 'home' }, { name: 'lesson', lessonId: action.lessonId }];
    case 'home':
      return [{ name: 'home' }];
    case 'toggle-help':
      return stack[stack.length - 1]!.name === 'help' ? stack.slice(0, -1) : [...stack, { name: 'help' }];
  }
}
